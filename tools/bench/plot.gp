# The plot of BENCHMARKS.md: gnuplot -e "datadir='DIR'; out='FILE.png'" plot.gp
# reads policy.dat, scale.dat and tracker.dat written by report.awk.
set terminal pngcairo size 1500,520 font "DejaVu Sans,10"
set output out
set multiplot layout 1,3 title "iofault: per-fault cost (QEMU TCG guest, medians with interquartile ranges; host callgrind counts)"

set title "Per-fault cost by path (guest)"
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

set title "Per-fault cost as outstanding groups grow (guest, built-in policy)"
set xlabel "groups outstanding at most (held + storm in flight)"
set ylabel "microseconds a fault (TCG)"
set logscale x 2
set xtics norotate auto
set format x "%.0f"
set xrange [32:131072]
set yrange [0:*]
plot datadir."/scale.dat" using 1:2:3:4 with yerrorlines lc rgb "#aa3377" pt 7, \
     "" using 1:2:(sprintf("%.2fx", $7)) with labels offset 0,1.2 font ",9"

set title "Tracker instructions per report+response (host, callgrind)"
set xlabel "groups outstanding"
set ylabel "instructions"
set xrange [0.5:131072]
set yrange [0:500]
set arrow 1 from 0.5,400 to 131072,400 nohead dt 2 lc rgb "red"
set label 1 "target 400" at 2,415 tc rgb "red"
plot datadir."/tracker.dat" using 1:2 with linespoints lc rgb "#228833" pt 7, \
     "" using 1:2:(sprintf("%.0f", $2)) with labels offset 0,1.2 font ",9"
unset multiplot
