// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/graphile/crystal
// Commit:     ef4e017aac9b2d522194a871c000dc274bed9d3a (fix)
// Path:       src/postgraphile/withPostGraphileContext.ts
// Subject:    fix: release pg-pool connection regardless of whether commit throws (#978)
// Rule:       unreleased-resource should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      pg Pool client released in a finally block, but after `await pgClient.query('commit')` in that same finally: when COMMIT throws the release is skipped and the client leaks
// Note:       Cut down to the imports and withDefaultPostGraphileContext.

import createDebugger = require('debug');
import jwt = require('jsonwebtoken');
import { Pool, PoolClient } from 'pg';
import { ExecutionResult, DocumentNode, OperationDefinitionNode, Kind } from 'graphql';
import * as sql from 'pg-sql2';
import { $$pgClient } from '../postgres/inventory/pgClientFromContext';
import { pluginHookFromOptions } from './pluginHook';
import { mixed } from '../interfaces';
import { formatSQLForDebugging } from 'postgraphile-core';

const withDefaultPostGraphileContext: WithPostGraphileContextFn = async (
  options: {
    pgPool: Pool;
    jwtToken?: string;
    jwtSecret?: string;
    jwtAudiences?: Array<string>;
    jwtRole: Array<string>;
    jwtVerifyOptions?: jwt.VerifyOptions;
    pgDefaultRole?: string;
    pgSettings?: { [key: string]: mixed };
    queryDocumentAst?: DocumentNode;
    operationName?: string;
    pgForceTransaction?: boolean;
  },
  callback: (context: mixed) => Promise<ExecutionResult>,
): Promise<ExecutionResult> => {
  const {
    pgPool,
    jwtToken,
    jwtSecret,
    jwtAudiences,
    jwtRole = ['role'],
    jwtVerifyOptions,
    pgDefaultRole,
    pgSettings,
    queryDocumentAst,
    operationName,
    pgForceTransaction,
  } = options;

  let operation: OperationDefinitionNode | void;
  if (!pgForceTransaction && queryDocumentAst) {
    // tslint:disable-next-line
    for (let i = 0, l = queryDocumentAst.definitions.length; i < l; i++) {
      const definition = queryDocumentAst.definitions[i];
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        if (!operationName && operation) {
          throw new Error(
            'Multiple operations present in GraphQL query, you must specify an `operationName` so we know which one to execute.',
          );
        } else if (!operationName || (definition.name && definition.name.value === operationName)) {
          operation = definition;
        }
      }
    }
  }

  // Warning: this is only set if pgForceTransaction is falsy
  const operationType = operation != null ? operation.operation : null;

  const { role: pgRole, localSettings, jwtClaims } = await getSettingsForPgClientTransaction({
    jwtToken,
    jwtSecret,
    jwtAudiences,
    jwtRole,
    jwtVerifyOptions,
    pgDefaultRole,
    pgSettings,
  });

  // If we can avoid transactions, we get greater performance.
  const needTransaction =
    pgForceTransaction ||
    localSettings.length > 0 ||
    (operationType !== 'query' && operationType !== 'subscription');

  // Now we've caught as many errors as we can at this stage, let's create a DB connection.

  // Connect a new Postgres client
  const pgClient = await pgPool.connect();

  // Enhance our Postgres client with debugging stuffs.
  if (
    (debugPg.enabled || debugPgError.enabled || debugPgNotice.enabled) &&
    !pgClient[$$pgClientOrigQuery]
  ) {
    debugPgClient(pgClient);
  }

  // Begin our transaction, if necessary.
  if (needTransaction) {
    await pgClient.query('begin');
  }

  try {
    // If there is at least one local setting, load it into the database.
    if (needTransaction && localSettings.length !== 0) {
      // Later settings should win, so we're going to loop backwards and not
      // add settings for keys we've already seen.
      const seenKeys: Array<string> = [];

      const sqlSettings: Array<sql.SQLQuery> = [];
      for (let i = localSettings.length - 1; i >= 0; i--) {
        const [key, value] = localSettings[i];
        if (seenKeys.indexOf(key) < 0) {
          seenKeys.push(key);
          // Make sure that the third config is always `true` so that we are only
          // ever setting variables on the transaction.
          // Also, we're using `unshift` to undo the reverse-looping we're doing
          sqlSettings.unshift(
            sql.fragment`set_config(${sql.value(key)}, ${sql.value(value)}, true)`,
          );
        }
      }

      const query = sql.compile(sql.query`select ${sql.join(sqlSettings, ', ')}`);

      await pgClient.query(query);
    }

    return await callback({
      [$$pgClient]: pgClient,
      pgRole,
      jwtClaims,
    });
  } finally {
    // Cleanup our Postgres client by ending the transaction and releasing
    // the client back to the pool. Always do this even if the query fails.
    try {
      if (needTransaction) {
        await pgClient.query('commit');
      }
    } finally {
      pgClient.release();
    }
  }
};
