"""Rating schemes: the rules that turn the facts of one KPI into a grade.

- ``base`` — :class:`~kpitool.rating.schemes.base.Scheme`, the class every scheme
  derives from (grades, options, ``decide``), :class:`GradeSpec` and :class:`RatingError`;
- ``banded`` — the one band engine: a measure read once, cut into ordered bands, a last grade;
  it grades ``bands``, its presets and the named band schemes (whose options are its edges);
- ``target`` — graded by the target: ``default`` (○△×—), ``target_comparison`` (◎○△×), each
  its own rule (two figures, two references);
- ``bands`` — one ratio cut into bands, on the band engine: ``progress_bands``,
  ``expected_value``, ``achievement_bands``;
- ``change`` — the change from a reference within a tolerance: ``baseline_tolerance`` (on the
  band engine), ``trend_and_progress`` (the previous year; two axes, its own rule);
- ``generic`` — ``bands``: any published band scheme, its measure (``measures``), bands and
  grade names written in the plan's settings; ``presets`` — published ones by name
  (``prefecture_expected``, ``progress_abcd``, ``maintain_points``);
- ``registry`` — :data:`SCHEMES`, every scheme by the name a plan's ``evaluation.scheme`` gives.

A new scheme that is one measure cut into bands: a preset (``presets``), or a
:class:`~kpitool.rating.schemes.banded.NamedBandsScheme` where it takes options. Any other: a
:class:`Scheme` subclass in the family module whose rule it shares
(or a new module here for a new family), added to ``SCHEMES`` in ``registry``,
documented in docs/rating.md with a worked example, and tested in
tests/rating/schemes/test_<family>.py.
"""
