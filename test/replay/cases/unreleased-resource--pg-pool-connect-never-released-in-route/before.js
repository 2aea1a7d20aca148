// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/quizfreely/quizfreely
// Commit:     12d98fbe4d8c063bd5206ac2ad59abcec577edec (its parent holds this version)
// Path:       api/index.js
// Subject:    use client.release() to fix "not sending response" (infinite wait) fixes https://github.com/ehanahamed/quizfreely/issues/21
// Rule:       unreleased-resource should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Fastify routes take `let client = await pool.connect()` (pg Pool) and never release it on any path: the 11th request waits forever for a pool slot
// Note:       Cut down to the pool, the Fastify instance and two of the routes the fix touched.

import "dotenv/config";
import Fastify from "fastify";
import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyOauth2 from "@fastify/oauth2";
import pg from "pg";
const { Pool, Client } = pg;
import path from "path";

const port = process.env.PORT;
const host = process.env.HOST;
const apiUrl = process.env.API_URL;
const pgConnection = process.env.POSTGRES_URI;
const corsOrigin = process.env.CORS_ORIGIN;
const logLevel = process.env.LOG_LEVEL;
const oauthGoogleId = process.env.OAUTH_GOOGLE_CLIENT_ID;
const oauthGoogleSecret = process.env.OAUTH_GOOGLE_CLIENT_SECRET;
const webOAuthCallback = process.env.WEB_OAUTH_CALLBACK_URL;

const fastify = Fastify({
    logger: {
        level: logLevel,
        file: path.join(import.meta.dirname, "logfile.log")
    }
})

const pool = new Pool({
    connectionString: pgConnection
})

fastify.post("/session/refresh", async function (request, reply) {
    if (request.body && request.body.session && request.body.session.id && request.body.session.token) {
        let client = await pool.connect();
        try {
            await client.query("BEGIN");
            let session = await client.query(
                "select id, token, user_id from auth.verify_and_refresh_session($1, $2)",
                [request.body.session.id, request.body.session.token]
            );
            if (session.rows.length == 1) {
                await client.query("COMMIT")
                return reply.send({
                    "error": false,
                    "data": {
                        session: {
                            id: session.rows[0].id,
                            token: session.rows[0].token
                        }
                    }
                })
            } else {
                await client.query("ROLLBACK");
                return reply.code(401).send({
                    error: {
                        type: "session-invalid"
                    }
                })
            }
        } catch (error) {
            await client.query("ROLLBACK");
            request.log.error(error);
            return reply.code(500).send({
                error: {
                    type: "postgres-error"
                }
            })
        }
    } else {
        return reply.code(400).send({
            error: {
                type: "fields-missing"
            }
        })
    }
})

fastify.post("/studysets/list", async function (request, reply) {
    if (
        request.body &&
        request.body.session &&
        request.body.session.id &&
        request.body.session.token
    ) {
        let client = await pool.connect();
        try {
            await client.query("BEGIN");
            let session = await client.query(
                "select id, token, user_id from auth.verify_and_refresh_session($1, $2)",
                [request.body.session.id, request.body.session.token]
            );
            if (session.rows.length == 1) {
                await client.query("set role quizfreely_auth_user");
                await client.query("select set_config('quizfreely_auth.user_id', $1, true)", [session.rows[0].user_id]);
                let studysets = await client.query(
                    "select id, user_id, title, private, updated_at from public.studysets " +
                    "where user_id = $1",
                    [session.rows[0].user_id]
                );
                await client.query("COMMIT")
                return reply.send({
                    "error": false,
                    "data": {
                        rows: studysets.rows,
                        session: {
                            id: session.rows[0].id,
                            token: session.rows[0].token
                        }
                    }
                })
            } else {
                await client.query("ROLLBACK");
                return reply.code(401).send({
                    error: {
                        type: "session-invalid"
                    }
                })
            }
        } catch (error) {
            await client.query("ROLLBACK");
            request.log.error(error);
            return reply.code(500).send({
                error: {
                    type: "postgres-error"
                }
            })
        }
    } else {
        return reply.code(400).send({
            error: {
                type: "fields-missing"
            }
        })
    }
})
