import { readFileSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { readTlsMaterial, type NamedSource, type TemporalTls } from './tls-material';

export type { TemporalTls } from './tls-material';

/**
 * Where and how the client and the workers reach Temporal, as `@temporalio/envconfig` resolves
 * it: a profile of the TOML file (`TEMPORAL_CONFIG_FILE`, else `~/.config/temporalio/temporal.toml`;
 * `TEMPORAL_PROFILE`, else "default"), overridden by the `TEMPORAL_*` variables. Holds the API
 * key and the client key: never log it whole (`describeTemporalConnection` is for logs).
 */
export interface TemporalConnection {
  /** Frontend `host:port`. */
  address: string;
  namespace: string;
  apiKey: string | undefined;
  /** `false`: plain gRPC. */
  tls: TemporalTls | false;
  /** Extra gRPC headers (`TEMPORAL_GRPC_META_*`). */
  metadata: Record<string, string>;
}

export type TemporalConnectionResult = { ok: true; connection: TemporalConnection } | { ok: false; problems: string[] };

const DEFAULTS = { address: '127.0.0.1:7233', namespace: 'default' };
const HOST_PORT = /^[^\s:]+:\d{1,5}$/;

/** Reads the Temporal connection from `env` and the profile it selects; every problem names its variable or profile key. */
export function readTemporalConnection(env: NodeJS.ProcessEnv): TemporalConnectionResult {
  const vars = definedOnly(env);
  const problems: string[] = [];
  const configFile = vars.TEMPORAL_CONFIG_FILE;
  if (configFile !== undefined) {
    // envconfig treats a missing file as "no file"; a file the operator named must exist.
    try {
      readFileSync(configFile);
    } catch (err) {
      return { ok: false, problems: [`TEMPORAL_CONFIG_FILE: cannot read ${configFile} (${errorCode(err)})`] };
    }
  }
  const profileName = vars.TEMPORAL_PROFILE ?? 'default';
  const fileLabel = configFile ?? 'the Temporal config file';
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    return { ok: false, problems: [profileProblem(err, fileLabel, profileName)] };
  }

  // A variable the operator set wins, so messages name it; otherwise the profile's key.
  const source = (variable: string, key: string) =>
    vars[variable] !== undefined ? variable : `${fileLabel} profile "${profileName}" ${key}`;

  const address = profile.address ?? DEFAULTS.address;
  if (!HOST_PORT.test(address)) problems.push(`${source('TEMPORAL_ADDRESS', 'address')} must be host:port`);
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined) {
    problems.push(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported: set TEMPORAL_TLS_SERVER_NAME to a name the server certificate carries',
    );
  }

  const tls = profile.tls;
  const material = { cert: tls?.clientCert, key: tls?.clientKey, ca: tls?.serverCACert };
  let resolvedTls: TemporalTls | false = false;
  if (tls?.disabled === true) {
    if (material.cert ?? material.key ?? material.ca) {
      problems.push(
        `${source('TEMPORAL_TLS', 'tls.disabled')} turns TLS off, yet TLS certificates are configured: remove one or the other`,
      );
    }
  } else if (tls !== undefined || profile.apiKey !== undefined) {
    // As envconfig: an API key implies TLS (Temporal Cloud); certificates or TEMPORAL_TLS=true ask for it.
    const read = readTlsMaterial({
      serverName: tls?.serverName,
      cert: named(material.cert, source, 'CLIENT_CERT', 'client_cert'),
      key: named(material.key, source, 'CLIENT_KEY', 'client_key'),
      ca: named(material.ca, source, 'SERVER_CA_CERT', 'server_ca_cert'),
    });
    if (read.ok) resolvedTls = read.tls;
    else problems.push(...read.problems);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    connection: {
      address,
      namespace: profile.namespace ?? DEFAULTS.namespace,
      apiKey: profile.apiKey,
      tls: resolvedTls,
      metadata: profile.grpcMeta ?? {},
    },
  };
}

/** What a log line may say about the connection: no API key, no key material, no header values. */
export function describeTemporalConnection(c: TemporalConnection): Record<string, unknown> {
  return {
    address: c.address,
    namespace: c.namespace,
    apiKey: c.apiKey !== undefined,
    tls:
      c.tls === false ? false : { serverName: c.tls.serverName, serverCa: c.tls.serverCa !== undefined, clientCert: c.tls.client?.subject },
    metadata: Object.keys(c.metadata),
  };
}

/** A TLS file or inline value with the name an operator knows it by. */
function named(
  data: ConfigDataSource | undefined,
  source: (variable: string, key: string) => string,
  variable: string,
  key: string,
): NamedSource | undefined {
  if (data === undefined) return undefined;
  const form = 'path' in data ? 'PATH' : 'DATA';
  return { from: source(`TEMPORAL_TLS_${variable}_${form}`, `tls.${key}_${form.toLowerCase()}`), source: data };
}

function profileProblem(err: unknown, fileLabel: string, profileName: string): string {
  // A TOML parse error (smol-toml's TomlError) quotes the offending line, which may hold an API
  // key: give its position only.
  if (err instanceof Error && 'codeblock' in err && 'line' in err && 'column' in err) {
    return `${fileLabel}: not valid TOML (line ${String(err.line)}, column ${String(err.column)})`;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Profile ')) return `TEMPORAL_PROFILE: profile "${profileName}" is not in ${fileLabel}`;
  return `Temporal client configuration (${fileLabel}, profile "${profileName}"): ${message}`;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? (err instanceof Error ? err.message : String(err));
}
