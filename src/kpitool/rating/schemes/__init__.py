"""Rating schemes: the rules that turn the facts of one KPI into a grade.

- ``base`` — :class:`~kpitool.rating.schemes.base.Scheme`, the class every scheme
  derives from (grades, options, ``decide``), :class:`GradeSpec` and :class:`RatingError`;
- ``target`` — graded by the target: ``default`` (○△×—), ``target_comparison`` (◎○△×);
- ``bands`` — one ratio cut into bands: ``progress_bands``, ``expected_value``,
  ``achievement_bands``;
- ``change`` — the change from a reference within a tolerance: ``baseline_tolerance``,
  ``trend_and_progress`` (the previous year);
- ``generic`` — ``bands``: any published band scheme, its measure (``measures``), bands and
  grade names written in the plan's settings; ``presets`` — published ones by name
  (``prefecture_expected``, ``progress_abcd``);
- ``registry`` — :data:`SCHEMES`, every scheme by the name a plan's ``evaluation.scheme`` gives.

A new scheme: a :class:`Scheme` subclass in the family module whose rule it shares
(or a new module here for a new family), added to ``SCHEMES`` in ``registry``,
documented in docs/rating.md with a worked example, and tested in
tests/rating/schemes/test_<family>.py.
"""
