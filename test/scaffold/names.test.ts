import { describe, expect, it } from "vitest";
import { crateNameProblems, derivePackageName, directoryProblems, npmNameProblems, packageNameProblems } from "../../src/scaffold/names.js";

describe("npm package names", () => {
  it.each(["my-service", "a", "svc2", "@acme/my-service", "a.b_c-d", "x".repeat(214)])("accepts %s", (name) => {
    expect(npmNameProblems(name)).toEqual([]);
  });
  it.each([
    ["", /empty/],
    ["My-Service", /uppercase/],
    [".hidden", /starts with "\."/],
    ["_private", /starts with "_"/],
    ["x".repeat(215), /longer than 214/],
    ["has space", /not URL-safe/],
    [" lead", /leading or trailing spaces/],
    ["a/b", /only a scoped name/],
    ["@scope/../x", /only a scoped name|URL-safe/],
    ["@acme/_x", /after the scope starts/],
    ["caf\u00e9", /not URL-safe/],
    ["wow!", /~ ' ! \( \) \*/],
    ["node_modules", /reserved/],
    ["http", /core module/],
  ])("refuses %j", (name, reason) => {
    expect(npmNameProblems(name).join("; ")).toMatch(reason);
  });
});

describe("crate names (Rust templates)", () => {
  it.each(["my-service", "my_service", "svc2"])("accepts %s", (name) => {
    expect(crateNameProblems(name)).toEqual([]);
    expect(packageNameProblems(name, "rust")).toEqual([]);
  });
  it.each([
    ["2fast", /cannot start with a digit/],
    ["@acme/svc", /may only hold letters/],
    ["a.b", /may only hold letters/],
    ["async", /Rust keyword/],
    ["self", /Rust keyword/],
    ["test", /reserved by cargo/],
    ["std", /reserved by cargo/],
    ["x".repeat(65), /at most 64/],
  ])("refuses %j", (name, reason) => {
    expect(packageNameProblems(name, "rust").join("; ")).toMatch(reason);
  });
  it("applies only npm's rules to TypeScript templates", () => {
    expect(packageNameProblems("@acme/svc", "ts")).toEqual([]);
    expect(packageNameProblems("2fast", "ts")).toEqual([]);
  });
});

describe("derivePackageName", () => {
  it.each([
    ["my-service", "my-service"],
    ["/tmp/work/My Service", "my-service"],
    ["./apps/_Internal.Tool", "internal.tool"],
    ["Ünïcode App", "n-code-app"],
    ["svc--", "svc"],
  ])("%s → %s", (dir, name) => {
    expect(derivePackageName(dir)).toBe(name);
  });
  it("gives up when nothing usable is left", () => {
    expect(derivePackageName("___")).toBeUndefined();
    expect(derivePackageName("ßßß")).toBeUndefined();
  });
});

describe("directory argument", () => {
  it("refuses empty and NUL-containing paths", () => {
    expect(directoryProblems("")).toEqual(["it is empty"]);
    expect(directoryProblems("a\0b")).toEqual(["it contains a NUL character"]);
    expect(directoryProblems("apps/my service")).toEqual([]);
  });
});
