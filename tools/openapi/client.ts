// A small Haven API client typed by the generated declarations (gen/haven.d.ts, written by
// openapi-typescript from web/openapi.json). `make api-lint` compiles it with tsc --strict: if the
// document stops describing these calls, or describes them differently, the build fails.
import type { components, operations } from "./gen/haven";

type Schemas = components["schemas"];
export type Case = Schemas["Case"];
export type CaseCreate = Schemas["CaseCreate"];
export type ApiError = Schemas["Error"]["error"];
export type CaseListQuery = NonNullable<operations["listCases"]["parameters"]["query"]>;
export type CasePage = operations["listCases"]["responses"][200]["content"]["application/json"];
type Created = operations["createCase"]["responses"][201]["content"]["application/json"];

// HavenError carries the API's error code, and for 503 and 507 the seconds to wait.
export class HavenError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
    readonly retryAfter?: number,
  ) {
    super(`${status} ${error.code}: ${error.message}`);
  }
}

export class HavenClient {
  // base is the server's origin, e.g. "https://haven.example.org": the document's paths start
  // with /api/v1.
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  createCase(body: CaseCreate): Promise<Created> {
    return this.call<Created>("POST", "/api/v1/cases", body);
  }

  listCases(query: CaseListQuery = {}): Promise<CasePage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, String(value));
    }
    const qs = params.toString();
    return this.call<CasePage>("GET", "/api/v1/cases" + (qs ? "?" + qs : ""));
  }

  // allOpenCases follows the cursor through every page.
  async allOpenCases(): Promise<Case[]> {
    const out: Case[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listCases({ open: true, cursor, limit: 100 });
      out.push(...page.items);
      cursor = page.next || undefined;
    } while (cursor);
    return out;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      const { error } = (await res.json()) as Schemas["Error"];
      const wait = res.headers.get("Retry-After");
      throw new HavenError(res.status, error, wait ? Number(wait) : undefined);
    }
    return (await res.json()) as T;
  }
}

// Compile-time checks that the generated types are precise, not `any`: each line below must be
// a type error, or tsc fails with "Unused '@ts-expect-error' directive".
export function typeChecks(c: HavenClient): void {
  // @ts-expect-error: title is required.
  void c.createCase({ summary: "no title" });
  // @ts-expect-error: request schemas are closed; unknown fields are refused.
  void c.createCase({ title: "t", no_such_field: 1 });
  // @ts-expect-error: priority is an enum.
  void c.createCase({ title: "t", priority: "urgent" });
  // @ts-expect-error: listCases takes only documented query parameters.
  void c.listCases({ colour: "red" });
  const code: ApiError["code"] = "storage_full";
  // @ts-expect-error: error codes are an enum.
  const bad: ApiError["code"] = "teapot";
  void code, bad;
}
