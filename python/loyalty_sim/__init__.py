"""loyalty_sim: will a loyalty program pay, when, and what will it owe? From Python.

The same library as the ``loyalty-sim`` command, called in-process: the scenario is loaded,
checked and simulated by the library's own code, and the results are the very files the command
writes (``summary.json``, ``monthly.csv``, ``monthly_by_type.csv``, ``trials.csv``), so the same
scenario and seed give the same numbers here and on the command line.

    >>> import loyalty_sim
    >>> result = loyalty_sim.run("scenarios/reference.toml", trials=20, seed=7)
    >>> result.summary["metrics"]["npv"]["p50"]      # median NPV, in the scenario's currency
    >>> result.monthly                               # a pandas DataFrame when pandas is installed

A scenario is a path (``str`` or ``pathlib.Path``), TOML text (a ``str`` holding a newline or an
``=``), or a ``dict`` shaped like the TOML file. A scenario with problems raises
:class:`ScenarioError`, whose message names file:line:column and the field, as the command does;
a transaction log with a bad row raises :class:`TransactionLogError`, naming its line and
column. Both are :class:`ValidationError` (a ``ValueError``).
The simulation releases the GIL: other Python threads run meanwhile.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._native import LoyaltySimError, ScenarioError, TransactionLogError, ValidationError

__all__ = [
    "run",
    "compare",
    "sweep",
    "tornado",
    "calibrate",
    "RunResult",
    "Decision",
    "Calibration",
    "ValidationError",
    "ScenarioError",
    "TransactionLogError",
    "LoyaltySimError",
    "__version__",
]

__version__: str = _native.__version__

Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def _source(scenario: Scenario, name: Optional[str] = None):
    """(path, text, name) for the native functions."""
    if isinstance(scenario, Mapping):
        text = _native.json_to_toml(json.dumps(scenario))
        return (None, text, name or "<dict>")
    if isinstance(scenario, os.PathLike):
        return (os.fspath(scenario), None, "")
    if isinstance(scenario, str):
        if "\n" in scenario or "=" in scenario:
            return (None, scenario, name or "<string>")
        return (scenario, None, "")
    raise TypeError(
        "scenario: expected a path, TOML text or a dict, found "
        + type(scenario).__name__
    )


def _seed(seed: Optional[int]) -> Optional[int]:
    """The command line's rule for a seed: a whole number from 0 to 2**64 - 1."""
    if seed is not None and not 0 <= seed <= 2**64 - 1:
        why = "a seed cannot be negative" if seed < 0 else "too large"
        raise ValueError(
            f"seed {seed}: {why}: expected a whole number from 0 to {2**64 - 1}"
        )
    return seed


def _pandas():
    """pandas, if installed (it is optional)."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _major(version: str) -> int:
    """The major number of a version string ("2.2.3" → 2)."""
    head = version.split(".")[0]
    return int(head) if head.isdigit() else 0


def _number(text: str):
    """A CSV cell as the number it holds, else as text (None when empty)."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _table(text: Optional[str], texts: Sequence[str] = ()):
    """A CSV file of the command as a DataFrame, or as a list of dicts without pandas; the
    columns in ``texts`` stay text (customer ids such as ``00004``)."""
    if text is None:
        return None
    text = text.lstrip("\ufeff")  # the byte-order mark Excel needs
    pandas = _pandas()
    if pandas is not None:
        # The same float as the file's shortest representation, bit for bit: pandas before 3
        # needs round_trip for that; from 3 on it is the default (and the option deprecated).
        exact = {} if _major(pandas.__version__) >= 3 else {"float_precision": "round_trip"}
        dtype = {column: str for column in texts}
        return pandas.read_csv(io.StringIO(text), dtype=dtype or None, **exact)
    return [
        {key: value if key in texts else _number(value) for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


class RunResult:
    """One run's results: the files ``loyalty-sim run`` writes, as Python values.

    Attributes:
        summary: summary.json as a dict: ``metadata`` (scenario, seed, trials, currency, …)
            and ``metrics`` (each with mean, sd, sem, ci95, p5, p50, p95).
        monthly: monthly.csv: one row per month, each quantity's mean and percentiles.
        monthly_by_type: monthly_by_type.csv: the same per loyalty type.
        trials: trials.csv: one row per trial, the business-case metrics of each.
        trial_inputs: trial_inputs.csv (the uncertain inputs drawn per trial), or None when
            the scenario has no uncertain inputs.
        text: the text summary the command prints.
    """

    def __init__(self, files: Dict[str, str]):
        self.summary: Dict[str, Any] = json.loads(files["summary.json"])
        self.monthly = _table(files.get("monthly.csv"))
        self.monthly_by_type = _table(files.get("monthly_by_type.csv"))
        self.trials = _table(files.get("trials.csv"))
        self.trial_inputs = _table(files.get("trial_inputs.csv"))
        self.text: str = files["text"]

    def __repr__(self) -> str:
        m = self.summary["metadata"]
        npv = self.summary["metrics"]["npv"]["p50"]
        return (
            f"<RunResult {m['scenario']}: {m['trials']} trials, seed {m['seed']}, "
            f"median NPV {npv:,.0f} {m['currency']}>"
        )

    def __str__(self) -> str:
        return self.text


class Decision:
    """A decision tool's result: its JSON file (compare.json, sweep.json or tornado.json, as
    the command writes it) as ``summary``, and the text the command prints as ``text``."""

    def __init__(self, kind: str, files: Dict[str, str]):
        self.kind = kind
        self.summary: Dict[str, Any] = json.loads(files["json"])
        self.text: str = files["text"]

    def __repr__(self) -> str:
        return f"<Decision: {self.kind}>"

    def __str__(self) -> str:
        return self.text


def run(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
) -> RunResult:
    """Simulates a scenario, as ``loyalty-sim run`` does.

    Args:
        scenario: a path, TOML text, or a dict shaped like the TOML file.
        trials: number of trials (default: the scenario's ``[simulation] trials``).
        seed: seed of the random numbers (default: the scenario's); a whole number ≥ 0.
        threads: worker threads (default: all cores); the results do not depend on it.
        name: the name messages and ``summary["metadata"]["scenario"]`` give TOML text or a
            dict (default ``<string>`` or ``<dict>``).

    Raises:
        ScenarioError: the scenario cannot be read or has problems (file:line:column, field).
        LoyaltySimError: the run could not be made (e.g. too little memory for it).
    """
    path, text, label = _source(scenario, name)
    files = _native.run(
        path=path, text=text, name=label, trials=trials, seed=_seed(seed), threads=threads
    )
    return RunResult(files)


def compare(
    scenarios: Sequence[Scenario],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Decision:
    """Runs several designs on the same customers and compares them trial by trial, as
    ``loyalty-sim compare`` does; the first scenario is the reference. ``summary`` is
    compare.json."""
    sources: List = [_source(s, f"<design {i + 1}>") for i, s in enumerate(scenarios)]
    files = _native.compare(sources, trials=trials, seed=_seed(seed), threads=threads)
    return Decision("compare", files)


def sweep(
    scenario: Scenario,
    vary: Mapping[str, Sequence[float]],
    steps: int = 10,
    metric: str = "npv",
    goal: Optional[str] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
) -> Decision:
    """Varies one or two inputs over a range and finds the best value, as ``loyalty-sim
    sweep`` does: ``vary={"program.points.redemption_threshold": (100, 1000)}``, ``steps``
    values each; ``goal`` "max" or "min" (default: the metric's own way). Trials default to
    the scenario's, at most 200. ``summary`` is sweep.json."""
    path, text, label = _source(scenario, name)
    axes = [(str(p), float(r[0]), float(r[1])) for p, r in vary.items()]
    files = _native.sweep(
        path=path, text=text, name=label, vary=axes, steps=steps, metric=metric,
        goal=goal, trials=trials, seed=_seed(seed), threads=threads,
    )
    return Decision("sweep", files)


def tornado(
    scenario: Scenario,
    metric: str = "npv",
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    name: Optional[str] = None,
) -> Decision:
    """Ranks the scenario's uncertain inputs by their effect on ``metric``, as ``loyalty-sim
    tornado`` does. Trials default to the scenario's, at most 200. ``summary`` is
    tornado.json."""
    path, text, label = _source(scenario, name)
    files = _native.tornado(
        path=path, text=text, name=label, metric=metric, trials=trials,
        seed=_seed(seed), threads=threads,
    )
    return Decision("tornado", files)


class Calibration:
    """A calibration's results: what ``loyalty-sim calibrate`` writes, as Python values.

    Attributes:
        summary: calibration.json as a dict: the fitted parameters of each model, the RFM
            groups, the checks of the fit against the data and the population.
        calibration: the same dict as ``summary``.
        scenario: the ready-to-run scenario as TOML text (it loads as it is: pass it to
            :func:`run`).
        customers: customers.csv: one row per customer of the calibration period, as a
            DataFrame (a list of dicts without pandas).
        text: the text report the command prints.
    """

    def __init__(self, files: Dict[str, str]):
        self.summary: Dict[str, Any] = json.loads(files["calibration.json"])
        self.calibration = self.summary
        self.scenario: str = files["scenario"]
        self.customers = _table(files["customers.csv"], texts=("customer_id",))
        self.text: str = files["text"]

    def __repr__(self) -> str:
        return f"<Calibration of {self.summary.get('input', 'a log')}>"

    def __str__(self) -> str:
        return self.text


_COLUMNS = ("customer_column", "date_column", "amount_column", "quantity_column")


def _log_csv(transactions, columns: Dict[str, Optional[str]]) -> bytes:
    """A DataFrame or a list of dicts as the CSV text the command reads: its header and rows,
    so that line 2 is the first row (the messages count so)."""
    pandas = _pandas()
    if pandas is not None and isinstance(transactions, pandas.DataFrame):
        frame = transactions.copy()
        for column in frame.columns:
            if pandas.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    rows = list(transactions)
    if not all(isinstance(row, Mapping) for row in rows):
        raise TypeError(
            "transactions: expected a path, a pandas DataFrame or a list of dicts"
        )
    header: List[str] = []
    for row in rows:
        for key in row:
            if key not in header:
                header.append(str(key))
    if not header:
        header = [c for c in columns.values() if c]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                str(k): (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in row.items()
            }
        )
    return text.getvalue().encode("utf-8")


def calibrate(
    transactions,
    calibration_end: str,
    holdout_end: Optional[str] = None,
    model: str = "bgnbd",
    currency: Optional[str] = None,
    exchange_rate: Optional[float] = None,
    template: Optional[Union[str, "os.PathLike[str]"]] = None,
    customers: Optional[int] = None,
    time_unit: str = "weeks",
    frequent_from: Optional[int] = None,
    large_from: Optional[float] = None,
    uncertain: bool = False,
    customer_column: str = "customer_id",
    date_column: str = "date",
    amount_column: str = "amount",
    quantity_column: Optional[str] = None,
    date_format: Optional[str] = None,
    format: str = "auto",
    decimal: str = "auto",
    skip_bad_rows: bool = False,
    name: Optional[str] = None,
) -> Calibration:
    """Fits a population to a transaction log and writes a ready-to-run scenario from it, as
    ``loyalty-sim calibrate`` does, by the same library function; nothing is written to disk.

    Args:
        transactions: a path to the log (CSV with a header row, or the CDNOW layout), a pandas
            DataFrame, or a list of dicts; a DataFrame or dicts have the columns
            ``customer_id``, ``date`` (YYYY-MM-DD text, or dates), ``amount`` and optionally
            ``quantity``, or those named by ``*_column``.
        calibration_end: last day of the calibration period, YYYY-MM-DD (inclusive).
        holdout_end: last day of the holdout period to check the forecast against, if any.
        model: purchase model feeding the scenario: "bgnbd", "mbgnbd", "pareto-nbd" or "auto".
        currency: ISO 4217 code of the amounts (default: the template's).
        exchange_rate: units of the log's currency one unit of the template's buys.
        template: scenario whose program, market and finance the scenario takes (default: the
            built-in retail_points.toml).
        customers: customers of the written scenario (default: those expected alive).
        time_unit, frequent_from, large_from, uncertain, date_format, format, decimal,
            skip_bad_rows: as the command's flags of the same names.
        name: the log's name in messages for a DataFrame or dicts (default ``<DataFrame>`` or
            ``<records>``).

    Raises:
        TransactionLogError: a bad row (its line, the header being line 1, and column), a
            missing column, an empty log.
        ValueError: a bad argument (a date not YYYY-MM-DD, an unknown model).
        LoyaltySimError: the models could not be fitted.
    """
    columns = {
        "customer_column": customer_column,
        "date_column": date_column,
        "amount_column": amount_column,
        "quantity_column": quantity_column,
    }
    if isinstance(transactions, (str, os.PathLike)):
        path, log, label = os.fspath(transactions), None, "<log>"
    else:
        pandas = _pandas()
        is_frame = pandas is not None and isinstance(transactions, pandas.DataFrame)
        path = None
        log = _log_csv(transactions, columns)
        label = name or ("<DataFrame>" if is_frame else "<records>")
        format = "csv" if format == "auto" else format
    files = _native.calibrate(
        calibration_end,
        path=path,
        log=log,
        name=label,
        holdout_end=holdout_end,
        format=format,
        date_format=date_format,
        skip_bad_rows=skip_bad_rows,
        decimal=decimal,
        time_unit=time_unit,
        frequent_from=frequent_from,
        large_from=large_from,
        template=None if template is None else os.fspath(template),
        currency=currency,
        exchange_rate=exchange_rate,
        customers=customers,
        model=model,
        uncertain=uncertain,
        **columns,
    )
    return Calibration(files)
