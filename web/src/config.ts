/**
 * Runtime configuration. One build serves every stack: the deployed bucket
 * (or `make dev`) provides /config.json next to index.html.
 */
export interface AppConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Only set locally, where moto stands in for Cognito. */
  cognitoEndpoint?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const REQUIRED = ["apiUrl", "region", "userPoolId", "userPoolClientId"] as const;

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null) {
    throw new ConfigError("config.json must be a JSON object.");
  }
  const record = raw as Record<string, unknown>;
  const missing = REQUIRED.filter((key) => typeof record[key] !== "string" || record[key] === "");
  if (missing.length > 0) {
    throw new ConfigError(`config.json is missing ${missing.join(", ")}.`);
  }
  const endpoint = record.cognitoEndpoint;
  return {
    apiUrl: (record.apiUrl as string).replace(/\/+$/, ""),
    region: record.region as string,
    userPoolId: record.userPoolId as string,
    userPoolClientId: record.userPoolClientId as string,
    ...(typeof endpoint === "string" && endpoint !== "" ? { cognitoEndpoint: endpoint } : {}),
  };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  let response: Response;
  try {
    // Never cached: a redeploy may point the same files at a new stack.
    response = await fetchImpl("/config.json", { cache: "no-store" });
  } catch {
    throw new ConfigError("Couldn't download config.json. Check your connection and reload.");
  }
  if (!response.ok) {
    throw new ConfigError(`config.json could not be loaded (HTTP ${response.status}).`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError("config.json is not valid JSON.");
  }
  return parseConfig(body);
}
