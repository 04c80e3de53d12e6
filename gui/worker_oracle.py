"""Which ground truth the window's oracle critics answer from: with `gui.gt_instances` (a folder of
NAME.png instance maps, `--gt-instances DIR` or Settings > Folders) and a usable map for the open
image, each object is judged against its own GT instance (OracleCritic.for_object); otherwise
against the union GT. Mixed into the EngineWorker (it owns `settings`, `loaded`, `gt`, `log`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.metrics.instances import gt_instances_for
from engine.sculpt.runner import build_critic, critic_needs_gt


class OracleGtHandlers:
    """`_build_critic()` for the open image and one log line per image saying which GT the oracle uses."""

    _oracle_said: str | None = None  # the last line logged (image + which GT): said once per image

    def _build_critic(self) -> Any:
        ids = self._oracle_instances() if critic_needs_gt(self.settings) else None
        return build_critic(self.settings, gt_mask=self.gt, gt_instances=ids)

    def _oracle_instances(self) -> np.ndarray | None:
        loaded = getattr(self, "loaded", None)
        folder = (self.settings.get("gui", {}).get("gt_instances") or "").strip()
        if loaded is None:
            return None
        found = gt_instances_for(folder or None, loaded.name, loaded.image.shape[:2], self.gt)
        if found.ids is not None:
            line = self.tr("oracle: per-object GT from {0}").format(found.path)
        elif found.path is not None:
            line = self.tr("oracle: {0} cannot be used ({1}); judging against the union GT").format(
                found.path, found.error)
        elif folder:
            line = self.tr("oracle: union GT (no instance map {0}.png in {1})").format(loaded.name, folder)
        else:
            line = self.tr("oracle: union GT")
        key = f"{loaded.name}\n{line}"
        if key != self._oracle_said:
            self._oracle_said = key
            self.log.emit(line)
        return found.ids
