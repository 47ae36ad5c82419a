"""OnceTrigger: fire once, at the first call (and, if asked, again after a resume)."""


class OnceTrigger:
    """Fires at its first call only, e.g. to run an extension after the first iteration.

    Args:
        call_on_resume (bool): also fire at the first call after the trainer
            is loaded from a snapshot (a new process).

    Attributes:
        finished (bool): True when it will not fire again; the trainer then
            skips the extension's ``initialize``.
    """

    def __init__(self, call_on_resume=False):
        self._flag_first = True             # not fired yet in this training (saved)
        self._flag_resumed = call_on_resume  # fire at the first call of this process (not saved)

    @property
    def finished(self):
        return not (self._flag_first or self._flag_resumed)

    def __call__(self, trainer):
        fire = not self.finished
        self._flag_first = False
        self._flag_resumed = False
        return fire

    def serialize(self, serializer):
        self._flag_first = bool(serializer('_flag_first', self._flag_first))
