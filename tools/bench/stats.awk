# Order statistics for the benchmark reports (report.awk, core.awk): run
# as awk -f stats.awk -f REPORT.awk.

function sort_n(a, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] > x; j--)
			a[j + 1] = a[j]
		a[j + 1] = x
	}
}

function quantile(a, n, p,    h, lo) {
	h = 1 + (n - 1) * p
	lo = int(h)
	return lo >= n ? a[n] : a[lo] + (h - lo) * (a[lo + 1] - a[lo])
}
