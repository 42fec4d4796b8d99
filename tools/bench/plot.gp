# The plot of BENCHMARKS.md: gnuplot -e "datadir='DIR'; out='FILE.png'" plot.gp
# reads policy.dat, scale.dat and tracker.dat written by report.awk.
set terminal pngcairo size 1500,520 font "DejaVu Sans,10"
set output out
set multiplot layout 1,3 title "iofault: per-fault cost (QEMU TCG guest: medians and interquartile ranges over the rounds; host: callgrind)"

set title "Per-fault cost by path (guest)\nlabels: ratio to the built-in policy"
set ylabel "microseconds a fault (TCG)"
set style fill solid 0.5 border -1
set boxwidth 0.6
set xtics rotate by -35 scale 0
set yrange [0:*]
set grid ytics
unset key
plot datadir."/policy.dat" using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
     "" using 0:2:(sprintf("%.2fx", $7)) with labels offset 0,1.2 font ",9"

set title "Per-fault cost as outstanding groups grow (guest, built-in policy)\nrelative to 1 group held, corrected by a reference device"
set xlabel "groups held outstanding (+ up to 64 of the storm in flight)"
set ylabel "per-fault cost, relative"
set logscale x 2
set xtics norotate (1, 16, 256, 4096, 65472)
set format x "%.0f"
set xrange [0.5:262144]
stats datadir."/scale.dat" using 9 nooutput
set yrange [0.5:(STATS_max > 1.4 ? STATS_max * 1.1 : 1.5)]
set object 1 rect from 0.5,0.8 to 262144,1.2 fc rgb "#e8f4e8" fs solid 1.0 noborder behind
set label 2 "target: within +-20%" at 1,0.83 tc rgb "#228833"
plot datadir."/scale.dat" using 1:7:8:9 with yerrorlines lc rgb "#aa3377" pt 7, \
     "" using 1:7:(sprintf("%.2fx (%.1f us)", $7, $2)) with labels offset 0,1.2 font ",9"
unset object 1
unset label 2

set title "Tracker instructions per report+response (host, callgrind)"
set xlabel "groups outstanding"
set ylabel "instructions"
set xtics (1, 16, 256, 4096, 65536)
set xrange [0.5:131072]
set yrange [0:500]
set arrow 1 from 0.5,400 to 131072,400 nohead dt 2 lc rgb "red"
set label 1 "target 400" at 2,415 tc rgb "red"
plot datadir."/tracker.dat" using 1:2 with linespoints lc rgb "#228833" pt 7, \
     "" using 1:2:(sprintf("%.0f", $2)) with labels offset 0,1.2 font ",9"
unset multiplot
