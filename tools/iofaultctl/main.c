// SPDX-License-Identifier: GPL-2.0
/*
 * iofaultctl: attach, replace, detach and list iofault policies; listen
 * for the faults a device forwards to user space.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iofaultctl.h"

static int cmd_help(int argc, char **argv);

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *summary;
};

static const struct command commands[] = {
	{ "list", cmd_list, "",
	  "Show each iofault device and the policy that decides for it." },
	{ "attach", cmd_attach,
	  "OBJ (--dev NAME | --global) [--map MAP] [--set VAR=VALUE]...",
	  "Load the iofault_ops policy of the BPF object OBJ (the struct_ops\n"
	  "      map MAP if OBJ has several), attach it to device NAME or as the\n"
	  "      global policy and pin its link under " PIN_DIR ".\n"
	  "      --set gives the const volatile global VAR of OBJ an integer\n"
	  "      VALUE (decimal or 0x hex) before loading." },
	{ "replace", cmd_replace,
	  "OBJ (--dev NAME | --global) [--map MAP] [--set VAR=VALUE]...",
	  "Load a policy as attach does and put it in the place of the one\n"
	  "      attached to device NAME (or of the global one) in one step,\n"
	  "      through its pinned link: no fault goes without a policy. The\n"
	  "      new policy must have the old one's timeout_ms." },
	{ "detach", cmd_detach, "(--dev NAME | --global | --all)",
	  "Detach the policy of device NAME, the global policy or every\n"
	  "      pinned policy, and remove its pin." },
	{ "listen", cmd_listen,
	  "--dev NAME [--respond CODE] [--batch N] [--count N]\n"
	  "      [--timeout-ms MS] [--quiet]",
	  "Handle the faults device NAME forwards to user space, as a VMM\n"
	  "      would: print a line for each, answer each batch of up to N (64)\n"
	  "      with CODE: success (the default), invalid, failure, or none to\n"
	  "      never answer. Stop after N records, after MS ms without one,\n"
	  "      when the device goes away, or on SIGINT or SIGTERM." },
	{ "stats", cmd_stats, "[--dev NAME] [--json]",
	  "Show each device (or device NAME): its id, driver, policy and\n"
	  "      limits, every counter of its stats file, and its latency\n"
	  "      histogram from report to answer: the buckets that counted a\n"
	  "      group, and p50, p90 and p99 estimated as the upper bounds of\n"
	  "      their buckets (1us = 1024ns, 1ms = 1024us, 1s = 1024ms).\n"
	  "      --json prints one JSON array of the devices, with every\n"
	  "      bucket as {\"low_ns\": N, \"count\": N}." },
	{ "top", cmd_top, "[--interval MS] [--once] [--dev NAME]",
	  "Show the devices (or device NAME) live, every MS ms (1000): for\n"
	  "      each, per second since the last frame, the faults reported, the\n"
	  "      groups admitted, resolved, forwarded and failed, the groups\n"
	  "      ended by timeout and the responses rejected (all reasons); the\n"
	  "      groups outstanding now; its policy; and the latency histogram\n"
	  "      of the groups answered since the last frame, a character a\n"
	  "      bucket (' ' none, '.' to '@' more, to the most of the row),\n"
	  "      ns[...]us[...]ms[...]s[...], with p50, p90 and p99 as bucket\n"
	  "      upper bounds; then the totals. n/a: no earlier reading to\n"
	  "      compare with. On a terminal each frame replaces the last, else\n"
	  "      frames follow one another, a blank line apart. The first frame\n"
	  "      has rates over the first 200 ms (or MS if shorter); --once\n"
	  "      prints it alone, with rates over MS if --interval is given.\n"
	  "      Stop on SIGINT or SIGTERM." },
	{ "adopt", cmd_adopt, "--dev NAME [--pasid N]",
	  "Put iofault in front of the page fault handler of the domain the\n"
	  "      kernel attached to PCI or platform device NAME (or to its PASID\n"
	  "      N), behind the IOMMU core: its faults get an iofault device\n"
	  "      NAME (NAME.pasidN), whose policy decides; RESOLVE gives a group\n"
	  "      to the domain's own handler, as without iofault." },
	{ "release", cmd_release, "--dev NAME [--pasid N]",
	  "Put the domain's own handler back in place of iofault's; the\n"
	  "      groups iofault still holds are answered (invalid)." },
	{ "help", cmd_help, "", "Show this help." },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: iofaultctl COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %s%s%s\n      %s\n", commands[i].name,
			commands[i].args[0] ? " " : "", commands[i].args,
			commands[i].summary);
	fprintf(f, "\nexit status: 0 success, %d failure, %d bad usage\n",
		EXIT_FAIL, EXIT_USAGE);
	fprintf(f, "\nenvironment: IOFAULTCTL_SYSFS=DIR reads DIR/sys/... instead of /sys/...\n"
		"(for tests on a fake sysfs tree)\n");
}

static void vmsg(const char *fmt, va_list ap)
{
	fputs("iofaultctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* One line on stderr, prefixed with the tool's name. */
void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/*
 * What is wrong, on one line of stderr, and where the help is (the whole
 * help would bury the line): returns the exit code.
 */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputs("Try 'iofaultctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* What getopt_long returned for an option it could not take. */
int bad_option(const char *cmd, int c, const char *arg)
{
	if (c == ':')
		return usage_error("%s: option '%s' needs an argument", cmd, arg);
	return usage_error("%s: unknown option '%s'", cmd, arg);
}

int help(void)
{
	print_usage(stdout);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1)
		return usage_error("%s: takes no arguments", argv[0]);
	return help();
}

int main(int argc, char **argv)
{
	const char *name = argv[1];
	size_t i;

	if (argc < 2 || !strcmp(name, "-h") || !strcmp(name, "--help"))
		return help();
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", name);
}
