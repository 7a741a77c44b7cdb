#!/usr/bin/env node
/**
 * The `hypernote` command line: one subcommand per job.
 * Each subcommand lives in its own module and is loaded only when asked for, so that
 * `hypernote kernel` does not pay for the report writer and vice versa.
 */
type Command = { summary: string; run(argv: string[]): Promise<number> };

const commands: Record<string, Command> = {
  demo: {
    summary: "boot the machine, run a workload, write an HTML report (default out/report.html)",
    run: async (argv) => (await import("./demo.js")).demoCommand(argv),
  },
  install: {
    summary: "install the Jupyter kernelspec [--user | --prefix P | --sys-prefix] [--name N]",
    run: async (argv) => (await import("./kernelspec.js")).installCommand(argv),
  },
  run: {
    summary: "execute a notebook: run nb.ipynb [-p name value]... [-o out.ipynb] [--html out.html]",
    run: async (argv) => (await import("./runner/commands.js")).runCommand(argv),
  },
  check: {
    summary: "re-execute saved notebooks and report every output that differs: check nb.ipynb...",
    run: async (argv) => (await import("./runner/commands.js")).checkCommand(argv),
  },
  kernel: {
    summary: "run the Jupyter kernel: kernel -f {connection_file}",
    run: async (argv) => (await import("./kernel-command.js")).kernelCommand(argv),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: hypernote <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`hypernote: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hypernote: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
