"""Image-embedding caches: an in-memory LRU bounded by bytes over an optional on-disk store."""

from engine.cache.embeddings import Embedding, EmbeddingCache, default_cache_dir, image_hash, shared_cache

__all__ = ["Embedding", "EmbeddingCache", "default_cache_dir", "image_hash", "shared_cache"]
