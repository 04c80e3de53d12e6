"""The video panel's critic: "Critique frame" asks the configured critic for points on the current frame (a
CritiqueJob off the UI thread); the proposals are listed to accept (checked ones become clicks) or reject. A mixin
of VideoPanel, whose widgets and state it uses; its strings stay in the panel's translation context."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QListWidgetItem

from gui.video.critic_job import CritiqueJob
from gui.video.job import start


class CriticMixin:
    status: Any
    settings: dict[str, Any]

    # ---- the critic --------------------------------------------------------------------------------
    def critique(self) -> None:
        if self.source is None or self.critic_job is not None:
            return
        frame, obj = self.slider.value(), self.state.current_id
        prompt = self.state.get(frame, obj)
        mask = prompt.mask if prompt is not None and prompt.mask is not None else self.result_mask(frame, obj)
        if mask is None or not mask.any():
            self.status.setText(QCoreApplication.translate(
                "VideoPanel", "object {0} has no mask on frame {1}: propagate or paint first").format(obj, frame + 1))
            return
        box = prompt.box if prompt is not None else None
        self.critic_job = CritiqueJob(frame, obj, self.source.read(frame), mask, box, self.state.label(obj),
                                      self.settings)
        self.critic_job.finished.connect(self._on_critique)
        self.critic_job.failed.connect(self._on_critique_failed)
        self.status.setText(QCoreApplication.translate("VideoPanel", "critiquing frame {0}...").format(frame + 1))
        self.critic_thread = start(self.critic_job)
        self._update_buttons()

    def _critic_done(self) -> CritiqueJob | None:
        if self.critic_thread is not None:
            self.critic_thread.wait()
            self.critic_thread = None
        job, self.critic_job = self.critic_job, None
        return job

    def _on_critique(self, result: Any) -> None:
        job = self._critic_done()
        self.proposals = list(result.proposals)
        self.proposal_frame, self.proposal_obj = job.frame_index, job.obj_id
        self.proposal_box = tuple(result.box.as_list()) if result.box is not None else None
        self.proposal_list.clear()
        for n, p in enumerate(self.proposals, 1):
            sign = "+" if p.is_positive else "-"
            item = QListWidgetItem(f"{n}. {sign} ({p.x:.0f}, {p.y:.0f}) {p.reason}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.proposal_list.addItem(item)
        frame = job.frame_index + 1
        self.status.setText(
            QCoreApplication.translate("VideoPanel", "{0}: {1} proposals on frame {2} (accept or reject)")
            .format(result.critic, len(self.proposals), frame) if self.proposals else
            QCoreApplication.translate("VideoPanel", "{0}: no proposals on frame {1}").format(result.critic, frame))
        self.show_frame(self.slider.value())
        self._update_buttons()
        self.critiqued.emit(len(self.proposals))

    def _on_critique_failed(self, message: str) -> None:
        self._critic_done()
        self.status.setText(QCoreApplication.translate("VideoPanel", "critic error: {0}").format(message))
        self._update_buttons()
        self.critiqued.emit(-1)

    def accept_proposals(self) -> None:
        """The checked proposals become the critiqued object's clicks on the critiqued frame."""
        if not self.proposals:
            return
        checked = [p for i, p in enumerate(self.proposals)
                   if self.proposal_list.item(i).checkState() == Qt.CheckState.Checked]
        if not checked:
            self.reject_proposals()
            return
        frame, obj = self.proposal_frame, self.proposal_obj
        self.state.accept_points(frame, obj, [(p.x, p.y, 1 if p.is_positive else 0) for p in checked],
                                 self.proposal_box)
        self._drop_proposals()
        self.state.current_id = obj
        if self.slider.value() != frame:
            self.slider.setValue(frame)
        self._edited(QCoreApplication.translate("VideoPanel", "{0} proposals accepted").format(len(checked)))

    def reject_proposals(self) -> None:
        n = len(self.proposals)
        self._drop_proposals()
        self.show_frame(self.slider.value())
        self.status.setText(QCoreApplication.translate("VideoPanel", "{0} proposals rejected").format(n))
        self._update_buttons()

    def _drop_proposals(self) -> None:
        self.proposals, self.proposal_frame, self.proposal_box = [], -1, None
        self.proposal_list.clear()
