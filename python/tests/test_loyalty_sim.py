"""The Python package against the command line: the same scenario and seed give the same files,
the same messages for a bad scenario, and the GIL is free while simulating."""

import csv
import io
import json
import pathlib
import subprocess
import threading
import time

import pytest

import loyalty_sim

try:
    import tomllib  # Python ≥ 3.11
except ImportError:  # pragma: no cover
    tomllib = None


def loyalty_sim_exact(pandas):
    """read_csv's option for exact floats on this pandas."""
    return {} if loyalty_sim._major(pandas.__version__) >= 3 else {"float_precision": "round_trip"}


def cli_run(cli, scenario, out, *args):
    """`loyalty-sim run SCENARIO --no-charts --out OUT ARGS…`; the written folder."""
    subprocess.run(
        [str(cli), "-q", "run", str(scenario), "--no-charts", "--out", str(out), *args],
        check=True,
    )
    return out


def test_run_equals_the_command_lines_summary_json(cli, small_points, tmp_path):
    out = cli_run(cli, small_points, tmp_path / "cli", "--trials", "6", "--seed", "2024")
    # Another thread count than the command's (all cores): the results do not depend on it.
    result = loyalty_sim.run(str(small_points), trials=6, seed=2024, threads=1)
    with open(out / "summary.json") as f:
        expected = json.load(f)
    assert result.summary == expected
    # Byte for byte, too: the same exporter wrote both.
    assert json.dumps(result.summary, indent=2) == json.dumps(expected, indent=2)
    assert result.summary["metadata"]["seed"] == 2024
    assert result.summary["metadata"]["trials"] == 6


def test_tables_equal_the_command_lines_csv_files(cli, small_uncertain, tmp_path):
    out = cli_run(cli, small_uncertain, tmp_path / "cli", "--trials", "4", "--seed", "5")
    result = loyalty_sim.run(small_uncertain, trials=4, seed=5)  # a pathlib.Path
    pandas = pytest.importorskip("pandas")
    for name, table in [
        ("monthly.csv", result.monthly),
        ("monthly_by_type.csv", result.monthly_by_type),
        ("trials.csv", result.trials),
        ("trial_inputs.csv", result.trial_inputs),
    ]:
        assert isinstance(table, pandas.DataFrame), name
        expected = pandas.read_csv(out / name, **loyalty_sim_exact(pandas))
        pandas.testing.assert_frame_equal(table, expected, check_exact=True)
    # Floats exact: each NPV is the float Python reads from the file's text.
    with open(out / "trials.csv", encoding="utf-8-sig") as f:
        npvs = [float(row["npv"]) for row in csv.DictReader(f)]
    assert list(result.trials["npv"]) == npvs
    assert len(result.trials) == 4
    assert list(result.trials["trial"]) == [0, 1, 2, 3]
    # 24 months (small_uncertain.toml's [simulation] months).
    assert len(result.monthly) == result.summary["metadata"]["months"] == 24


def test_tables_are_lists_of_dicts_without_pandas(small_points, monkeypatch, tmp_path, cli):
    monkeypatch.setattr(loyalty_sim, "_pandas", lambda: None)
    result = loyalty_sim.run(small_points, trials=3, seed=1)
    assert isinstance(result.trials, list) and len(result.trials) == 3
    out = cli_run(cli, small_points, tmp_path / "cli", "--trials", "3", "--seed", "1")
    with open(out / "trials.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    for got, want in zip(result.trials, rows):
        assert got["trial"] == int(want["trial"])
        assert got["npv"] == float(want["npv"])
        assert got["scenario_sha256"] == want["scenario_sha256"]
    assert result.monthly[0]["month"] == 1
    assert result.trial_inputs is None  # no uncertain inputs in small_points.toml


def test_a_toml_string_and_a_dict_give_the_files_results(small_points):
    text = small_points.read_text()
    from_file = loyalty_sim.run(small_points, trials=3, seed=11)
    from_text = loyalty_sim.run(text, trials=3, seed=11)
    # The same text: the same sha256 and numbers; only the name differs.
    assert from_text.summary["metadata"]["scenario"] == "<string>"
    assert from_text.summary["metadata"]["scenario_sha256"] == (
        from_file.summary["metadata"]["scenario_sha256"]
    )
    assert from_text.summary["metrics"] == from_file.summary["metrics"]
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    as_dict = tomllib.loads(text)
    from_dict = loyalty_sim.run(as_dict, trials=3, seed=11)
    assert from_dict.summary["metadata"]["scenario"] == "<dict>"
    assert from_dict.summary["metrics"] == from_file.summary["metrics"]
    # A changed input changes the result: the dict is really what runs.
    # small_points.toml invests platform 20,000 + launch 5,000; doubling the platform adds 20,000.
    as_dict["finance"]["investment"]["platform"] = 40_000
    more = loyalty_sim.run(as_dict, trials=3, seed=11)
    assert from_file.summary["metrics"]["investment"]["mean"] == 25_000
    assert more.summary["metrics"]["investment"]["mean"] == 45_000


def test_an_invalid_scenario_raises_with_the_command_lines_message(cli, small_points, tmp_path):
    bad = tmp_path / "bad.toml"
    text = small_points.read_text().replace("months = 24", "months = -3", 1)
    bad.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l == "months = -3")
    with pytest.raises(loyalty_sim.ScenarioError) as raised:
        loyalty_sim.run(str(bad))
    message = str(raised.value)
    assert f"{bad}:{line}:10: `simulation.months`" in message
    assert isinstance(raised.value, ValueError)
    # Word for word what the command prints after "error: ".
    done = subprocess.run([str(cli), "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {message}".strip()
    # TOML text: the messages name <string>, with its line and column.
    with pytest.raises(loyalty_sim.ScenarioError, match=rf"<string>:{line}:10: `simulation.months`"):
        loyalty_sim.run(text)
    # A missing file, a negative seed, zero trials: also ScenarioError, never a crash.
    with pytest.raises(loyalty_sim.ScenarioError, match="cannot read scenario file"):
        loyalty_sim.run(str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="a seed cannot be negative"):
        loyalty_sim.run(small_points, seed=-1)
    with pytest.raises(ValueError, match="trials: expected at least 1"):
        loyalty_sim.run(small_points, trials=0)
    with pytest.raises(TypeError):
        loyalty_sim.run(42)


def test_the_gil_is_released_while_simulating(small_points):
    ticks = 0
    done = threading.Event()

    def simulate():
        loyalty_sim.run(small_points, trials=40, seed=3, threads=1)
        done.set()

    worker = threading.Thread(target=simulate)
    started = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - started
    # With the GIL held for the whole run the loop could not tick until it ended; released, it
    # ticks about once a millisecond throughout (a tenth of that allows for a busy machine).
    assert elapsed > 0.2, "the run is too short to tell"
    assert ticks > elapsed * 1000 / 10, (ticks, elapsed)


def test_compare_equals_the_command_lines_compare_json(cli, small_points, small_uncertain, tmp_path):
    out = tmp_path / "cmp"
    subprocess.run(
        [str(cli), "-q", "compare", str(small_points), str(small_uncertain),
         "--trials", "3", "--seed", "8", "--no-charts", "--out", str(out)],
        check=True,
    )
    got = loyalty_sim.compare([str(small_points), str(small_uncertain)], trials=3, seed=8)
    with open(out / "compare.json") as f:
        assert got.summary == json.load(f)
    assert "Ranking by median NPV" in got.text
    with pytest.raises(ValueError, match="at least two"):
        loyalty_sim.compare([small_points])


def test_the_readme_example_runs(tmp_path, monkeypatch):
    """The README's Python example, as written there."""
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("```python\n# loyalty_sim example")
    code = readme[start + len("```python\n"): readme.index("```", start + 10)]
    monkeypatch.chdir(pathlib.Path(__file__).resolve().parents[2])
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["result"].summary["metadata"]["trials"] == 20


def test_sweep_and_tornado_equal_the_command_lines_files(cli, small_points, small_uncertain, tmp_path):
    def cli_json(args, name):
        out = tmp_path / name
        subprocess.run([str(cli), "-q", *args, "--no-charts", "--out", str(out)], check=True)
        with open(out / f"{name}.json") as f:
            return json.load(f)

    expected = cli_json(
        ["sweep", str(small_points), "--vary", "program.points.redemption_threshold=100..400",
         "--steps", "3", "--trials", "2", "--seed", "4"],
        "sweep",
    )
    got = loyalty_sim.sweep(
        small_points, vary={"program.points.redemption_threshold": (100, 400)},
        steps=3, trials=2, seed=4,
    )
    assert got.summary == expected
    assert "redemption_threshold" in got.text

    expected = cli_json(
        ["tornado", str(small_uncertain), "--trials", "2", "--seed", "4"], "tornado"
    )
    got = loyalty_sim.tornado(small_uncertain, trials=2, seed=4)
    assert got.summary == expected

    with pytest.raises(ValueError, match="unknown; expected one of npv, roi"):
        loyalty_sim.tornado(small_uncertain, metric="nvp")
    with pytest.raises(ValueError, match="vary program.points.redemption_threshold"):
        loyalty_sim.sweep(small_points, vary={"program.points.redemption_threshold": (-5, 10)})
