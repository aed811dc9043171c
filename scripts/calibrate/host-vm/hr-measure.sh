#!/bin/sh
# Headroom (npm run calibrate -- host): run inside the measured VM. Waits for the boot to settle,
# then writes three samples of /proc/meminfo, the kernel's watermarks and every process's PSS and
# RSS to the serial console (lines starting "HR "), and powers the VM off.
out=/dev/ttyS0
dump() {
  echo "HR sample $1 uptime $(cut -d' ' -f1 /proc/uptime)" > $out
  sed 's/^/HR meminfo /' /proc/meminfo > $out
  echo "HR vm min_free_kbytes $(cat /proc/sys/vm/min_free_kbytes)" > $out
  echo "HR vm thp $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null | tr ' ' ',')" > $out
  for d in /proc/[0-9]*; do
    [ -r $d/smaps_rollup ] || continue
    # PSS, RSS, and PSS's anonymous and file-backed parts, KiB
    kib=$(awk '/^Pss:/{p=$2} /^Rss:/{r=$2} /^Pss_Anon:/{a=$2} /^Pss_File:/{f=$2} END{if (p != "") print p, r, a, f}' $d/smaps_rollup 2>/dev/null)
    [ -n "$kib" ] || continue
    echo "HR proc ${d#/proc/} $(tr -d ' ' < $d/comm) $kib" > $out
  done
}
echo "HR begin $(uname -r)" > $out
systemctl list-units --type=service --state=running --no-legend --plain 2>/dev/null | awk '{print "HR unit " $1}' > $out
sleep "${HR_SETTLE:-60}"
dump 1; sleep 20; dump 2; sleep 20; dump 3
echo "HR end" > $out
if [ "$$" = 1 ]; then echo o > /proc/sysrq-trigger; sleep 30; else systemctl poweroff; fi
