#!/usr/bin/env bash
# A real Slurm run of docs/cluster.md's array script: installs Debian's Slurm and munge when absent,
# starts a one-node cluster on this machine, submits the script (taken from docs/cluster.md as it
# stands) as a 3-task array, waits, merges the parts and checks that the merged files are
# byte-identical to a single run's. Needs root. Stops the daemons it started.
#
#   bash tests/cluster/slurm.sh            # uses target/debug/loyalty-sim (built if missing)
#   LOYALTY_SIM_BIN=/path/loyalty-sim bash tests/cluster/slurm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
tasks=3
trials=6
deadline_seconds=600

if [[ $(id -u) -ne 0 ]]; then
    echo "slurm.sh: needs root (it installs and starts slurmctld, slurmd and munged)" >&2
    exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "installing Debian's Slurm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

bin=${LOYALTY_SIM_BIN:-$repo/target/debug/loyalty-sim}
if [[ ! -x $bin ]]; then
    cargo build --quiet --bin loyalty-sim
fi
bindir=$(mktemp -d)
ln -s "$(realpath "$bin")" "$bindir/loyalty-sim"

work=$(mktemp -d /tmp/loyalty-slurm.XXXXXX)
mkdir -p "$work"/{state,spool,log,run,munge,shared/scenarios}
cp scenarios/reference.toml "$work/shared/scenarios/"

# The array script of docs/cluster.md, as written there: the sh block after "A Slurm array job".
awk '/^A Slurm array job/ {found=1} found && /^```sh$/ {inside=1; next}
     inside && /^```$/ {exit} inside {print}' docs/cluster.md >"$work/run.sh"
grep -q '^#SBATCH --array' "$work/run.sh" || { echo "no array script found in docs/cluster.md" >&2; exit 1; }
echo "--- the script of docs/cluster.md ---"
cat "$work/run.sh"
echo "---"

host=$(hostname -s)
memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
cat >"$work/slurm.conf" <<EOF
ClusterName=loyalty
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf

pids=()
stop() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap stop EXIT

# munge: its own socket and key in the scratch folder (Slurm finds the socket through
# AuthInfo), so a system munged is left alone.
key=$work/munge/munge.key
dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 400 "$key"
socket=$work/munge/munge.socket
munged --force --key-file="$key" --socket="$socket" --pid-file="$work/run/munged.pid" \
    --log-file="$work/log/munged.log" --seed-file="$work/munge/seed"
pids+=("$(cat "$work/run/munged.pid")")

slurmctld -f "$work/slurm.conf"
for _ in $(seq 50); do [[ -s $work/run/slurmctld.pid ]] && break; sleep 0.2; done
pids+=("$(cat "$work/run/slurmctld.pid")")
slurmd -f "$work/slurm.conf"
for _ in $(seq 50); do [[ -s $work/run/slurmd.pid ]] && break; sleep 0.2; done
pids+=("$(cat "$work/run/slurmd.pid")")

for _ in $(seq 60); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    [[ $state == idle* ]] && break
    sleep 1
done
echo "node: $(sinfo -h -N -o '%N %T %c CPUs %m MB')"

started=$(date +%s)
# The script unchanged; the array, CPUs, memory and trials set for this one small machine.
job=$(PATH=$bindir:$PATH LOYALTY_DIR=$work/shared TRIALS=$trials \
    sbatch --parsable --array=0-$((tasks - 1)) --cpus-per-task=1 --mem=1G --time=00:10:00 \
    --output="$work/log/task-%a.out" "$work/run.sh")
echo "submitted array job $job ($tasks tasks)"
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
    if (($(date +%s) - started > deadline_seconds)); then
        echo "the array job did not finish in $deadline_seconds s" >&2
        scancel "$job" || true
        exit 1
    fi
    sleep 1
done
echo "array job finished in $(($(date +%s) - started)) s"
for i in $(seq 0 $((tasks - 1))); do
    echo "--- task $i ---"
    cat "$work/log/task-$i.out"
done

parts=("$work"/shared/output/reference-parts/part-*-of-$tasks)
if ((${#parts[@]} != tasks)); then
    echo "expected $tasks parts, found ${#parts[@]}: ${parts[*]}" >&2
    exit 1
fi
cd "$work/shared"
"$bindir/loyalty-sim" merge output/reference-parts/part-*-of-$tasks --no-charts --out "$work/merged"
"$bindir/loyalty-sim" -q run scenarios/reference.toml --trials "$trials" --no-charts --out "$work/single"
for file in summary.json trials.csv monthly.csv monthly_by_type.csv; do
    cmp "$work/single/$file" "$work/merged/$file"
    echo "identical: $file ($(wc -c <"$work/merged/$file") bytes)"
done
echo "slurm.sh: $tasks array tasks ran under Slurm; the merged output is byte-identical to a single run"
rm -rf "$work" "$bindir"
