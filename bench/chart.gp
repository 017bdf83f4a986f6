# The cte_bench chart, from the data files bench/report.py writes:
#   gnuplot -e "data='RESULTS_DIR'" bench/chart.gp > chart.svg
if (!exists("data")) data = "."

set terminal svg size 960,1080 dynamic noenhanced font "sans,12" background rgb "white"
set multiplot layout 3,1 title "cte benchmarks, x86_64 Linux (medians of one run)" font ",14"

set style fill solid 0.85 border -1
set boxwidth 0.6
set grid ytics lc rgb "#dddddd"
set border 3
set xtics nomirror scale 0 font ",10"
set ytics nomirror
unset key
set lmargin 12
set offsets 0.5, 0.5, graph 0.12, 0  # room for the value above the tallest bar

set title "Round trip A -> B -> A, and hardware trap -> handler -> resume"
set ylabel "ns (log scale)"
set logscale y
set yrange [1:*]
set xtics rotate by -15
plot data."/operations.dat" using 0:2:xtic(1) with boxes lc rgb "#4a7ab5", \
     ""                     using 0:2:3 with labels offset 0,0.8 font ",10"

set title "A ring of N threads writing their stacks (working set)"
set ylabel "ns per switch"
unset logscale y
set yrange [0:*]
set xtics norotate
set xlabel "threads in the ring"
plot data."/ring.dat" using 0:2:xtic(1) with boxes lc rgb "#5b9a5b", \
     ""               using 0:2:3 with labels offset 0,0.8 font ",10"

set title "Ratio against its target (below the line: target met)"
set ylabel "ratio / target"
unset xlabel
set xtics rotate by -8
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb "#c03030" front
plot data."/ratios.dat" using 0:2:xtic(1) with boxes lc rgb "#b58a4a", \
     ""                 using 0:2:3 with labels offset 0,0.8 font ",10"

unset multiplot
