"""Fair recognition: reproducible contest draws and the bonus-pool formula (pure functions, no models).

The contest and bonus-pool pages, their models and the payroll export build on these; the fairness
benchmark (``bench/fairness``) runs the very same functions over a simulated year.
"""
