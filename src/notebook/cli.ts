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
