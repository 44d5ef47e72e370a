#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, from Debian's packages, for testing the profile
# (profiles/slurm) on a real scheduler: munge, MariaDB + slurmdbd (so that `sacct` reports
# finished jobs with their MaxRSS), slurmctld and slurmd on this host, one partition of 2 CPUs.
#
#   benchmarks/slurm_cluster.sh start DIR   # installs what is missing, starts, checks (sinfo, srun)
#   benchmarks/slurm_cluster.sh stop DIR    # stops everything `start` started
#
# Everything it writes lives under DIR (configuration, state, logs) except MariaDB's data, pid
# and log (/var/lib/mysql, /run/mysqld: DIR may sit where the mysql user cannot go) and two links, /etc/slurm/slurm.conf and slurmdbd.conf, to the files in DIR: commands
# inside a job (srun) look for the configuration there, not where SLURM_CONF said it was.
# Needs root (it installs packages and starts daemons); says so and exits 3 otherwise.
set -euo pipefail

command=${1:?usage: slurm_cluster.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: slurm_cluster.sh start|stop DIR}")
account=${PRISMAFLOW_SLURM_ACCOUNT:-prismaflow}
partition=${PRISMAFLOW_SLURM_PARTITION:-review}
db_password=prismaflow-test-only # a throw-away database on localhost, removed by `stop`
mariadb_pid=/run/mysqld/prismaflow.pid
mariadb_log=/run/mysqld/prismaflow.log

if [ "$(id -u)" != 0 ]; then
  echo "slurm_cluster.sh: needs root to install and start SLURM's daemons" >&2
  exit 3
fi

end() {
  # Stop the daemon whose pid the file holds, and wait until it is gone.
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  for daemon in slurmd slurmctld slurmdbd; do end "$dir/run/$daemon.pid"; done
  if [ -f "$mariadb_pid" ]; then
    mariadb -e "DROP DATABASE IF EXISTS slurm_acct_db; DROP USER IF EXISTS 'slurm'@'localhost';" \
      2>/dev/null || true
    end "$mariadb_pid"
  fi
  end "$dir/run/munged.pid"
  for name in slurm.conf slurmdbd.conf; do
    [ "$(readlink /etc/slurm/$name)" = "$dir/$name" ] && rm -f "/etc/slurm/$name"
  done
  rm -rf "$dir/run"
}

if [ "$command" = stop ]; then
  stop
  exit 0
fi
[ "$command" = start ] || { echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2; }
# Another cluster (or a real SLURM installation) owns the configuration: leave it alone.
for name in slurm.conf slurmdbd.conf; do
  if [ -e "/etc/slurm/$name" ] && [ "$(readlink "/etc/slurm/$name")" != "$dir/$name" ]; then
    echo "slurm_cluster.sh: /etc/slurm/$name exists and is not ours; stop that cluster first" >&2
    exit 4
  fi
done

if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null \
  || ! command -v munged >/dev/null || ! command -v mariadbd >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm slurmdbd munge mariadb-server \
    >/dev/null
fi

# Whatever fails from here on, stop what was started.
trap 'stop' ERR
host=$(hostname -s)
cpus=$(nproc)
# Most of the machine's memory, leaving 2 GB for the system and the submitting Snakemake.
memory=$(($(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 2048))
mkdir -p "$dir"/{run,state,spool,log}

# munge authenticates every message between the daemons and the commands.
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile /etc/munge/munge.key
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid --force
for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
cp /run/munge/munged.pid "$dir/run/munged.pid"

# MariaDB holds the accounting database slurmdbd writes and sacct reads.
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
[ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql >/dev/null
/usr/sbin/mariadbd --user=mysql --pid-file="$mariadb_pid" --log-error="$mariadb_log" \
  >/dev/null 2>&1 &
for _ in $(seq 150); do mariadb -e "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
mariadb -e "SELECT 1" >/dev/null || { tail -20 "$mariadb_log" >&2; stop; exit 1; }
mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$db_password';
  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"

cat >"$dir/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$db_password
StorageLoc=slurm_acct_db
LogFile=$dir/log/slurmdbd.log
PidFile=$dir/run/slurmdbd.pid
EOF
chmod 600 "$dir/slurmdbd.conf"

cat >"$dir/slurm.conf" <<EOF
ClusterName=prismaflow
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups in a container: processes are tracked and sampled through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# Memory is sampled every second (MaxRSS in sacct) and a job over its request is killed.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
# The executor plugin names the rule in the job comment; keep it, so sacct can show it.
AccountingStoreFlags=job_comment
# Finished jobs stay visible to squeue for 5 minutes (the executor plugin's fallback).
MinJobAge=300
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=$partition Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
for name in slurm.conf slurmdbd.conf; do
  mkdir -p /etc/slurm && ln -sfn "$dir/$name" "/etc/slurm/$name"
done
export SLURM_CONF="$dir/slurm.conf"

/usr/sbin/slurmdbd  # reads slurmdbd.conf beside $SLURM_CONF
for _ in $(seq 100); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.2; done
sacctmgr -i add cluster prismaflow >/dev/null 2>&1 || true
sacctmgr -i add account "$account" Cluster=prismaflow >/dev/null 2>&1 || true
sacctmgr -i add user root Account="$account" >/dev/null 2>&1 || true
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"

# The cluster answers: the node is idle and a job runs on it.
for _ in $(seq 150); do
  sinfo -h -o "%T" 2>/dev/null | grep -q idle && break
  sleep 0.2
done
sinfo
srun --account="$account" --partition="$partition" --time=1 hostname
echo "export SLURM_CONF=$dir/slurm.conf PRISMAFLOW_SLURM_ACCOUNT=$account PRISMAFLOW_SLURM_PARTITION=$partition"
