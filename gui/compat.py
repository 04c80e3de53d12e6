"""Work-arounds for bugs in the Qt binding we run on.

PySide6/shiboken6 6.12.0 on Python < 3.12: every call of a C++ method returning void gives back
Py_None without a new reference, so each call takes one reference from None. After some
thousands of calls (a few minutes of annotating) None's count reaches zero and the interpreter
aborts with "Fatal Python error: none_dealloc". Python 3.12 made None immortal, which hides it.
We detect the leak at start-up and, only then, give None a very large reference count: the same
thing Python 3.12 does for every such singleton."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

_BOOST = 1 << 48


def void_calls_leak_none() -> bool:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        obj.setObjectName("probe")  # a void method
    return sys.getrefcount(None) <= before - 32


def guard_none_refcount() -> bool:
    """Returns True when the leak was found and None was made effectively immortal."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not void_calls_leak_none():
        return False
    if sys.getrefcount(None) < _BOOST // 2:
        # ob_refcnt is the first field of every object in a release build of CPython 3.11
        ctypes.c_ssize_t.from_address(id(None)).value += _BOOST
    return True
