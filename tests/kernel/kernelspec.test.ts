import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient, findKernelSpec } from "../support/client.js";

const prefix = mkdtempSync(join(tmpdir(), "hn-spec-"));
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

describe("kernelspec (kernels.rst, Kernel specs)", () => {
  it("`hypernote install --prefix P` writes kernel.json with an absolute node, interrupt_mode message, and logos", () => {
    const out = execFileSync(process.execPath, ["dist/notebook/cli.js", "install", "--prefix", prefix], { encoding: "utf8" });
    const dir = join(prefix, "share", "jupyter", "kernels", "hypernote");
    expect(out).toContain(dir);
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv.slice(2)).toEqual(["kernel", "-f", "{connection_file}"]);
    expect(spec).toMatchObject({ language: "typescript", interrupt_mode: "message" });
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      const png = readFileSync(join(dir, logo));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(Number(logo.match(/(\d+)x/)![1]));
    }
  });

  it("refuses two install locations at once", () => {
    expect(() => execFileSync(process.execPath, ["dist/notebook/cli.js", "install", "--user", "--prefix", prefix], { encoding: "utf8", stdio: "pipe" })).toThrow(/at most one of --user, --prefix P, --sys-prefix/);
  });

  it("starts from the installed spec in an unsigned session, runs a cell and shuts down on request", async () => {
    const { spec } = findKernelSpec("hypernote", [join(prefix, "share", "jupyter", "kernels")]);
    expect(existsSync(spec.argv[1]!)).toBe(true);
    const k = await KernelClient.start({ argv: spec.argv, key: "" });
    const { reply, iopub } = await k.execute("typeof display");
    expect(reply.content.status).toBe("ok");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "'function'" });
    const bye = await k.shutdown();
    expect(bye?.header.msg_type).toBe("shutdown_reply");
    expect(bye?.content).toEqual({ status: "ok", restart: false });
    expect(await k.exit).toBe(0);
    expect(k.undecodable).toEqual([]);
  });
});
