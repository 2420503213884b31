// eventsim's Node.js runtime client: loads `file.export` from LAMBDA_TASK_ROOT and loops on
// the Lambda Runtime API, with the semantics of AWS's Node.js runtime:
// - handlers in CommonJS (.js, .cjs) or ES modules (.mjs, or .js under "type": "module");
// - `(event, context, callback)` handlers, and async / promise-returning handlers;
// - callback(err, result) waits for the event loop to empty first unless
//   `context.callbackWaitsForEmptyEventLoop = false`; context.succeed/fail/done answer at once;
// - errors as {errorType, errorMessage, trace}; console.* lines as
//   `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
"use strict";

const http = require("http");
const path = require("path");
const util = require("util");
const fs = require("fs");
const { pathToFileURL } = require("url");

const [HOST, PORT] = (() => {
  const api = process.env.AWS_LAMBDA_RUNTIME_API || "127.0.0.1:9001";
  const i = api.lastIndexOf(":");
  return [api.slice(0, i), Number(api.slice(i + 1))];
})();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = "/2018-06-01/runtime";

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port: PORT, method, path: PREFIX + urlPath, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers,
                                      body: Buffer.concat(chunks) }));
      });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let currentRequestId = "";
const write = (text) => fs.writeSync(1, text);
function logLine(level, args) {
  const message = util.format(...args).replace(/\n/g, "\r");
  write(`${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${message}\n`);
}
console.log = (...a) => logLine("INFO", a);
console.info = (...a) => logLine("INFO", a);
console.warn = (...a) => logLine("WARN", a);
console.error = (...a) => logLine("ERROR", a);
console.debug = (...a) => logLine("DEBUG", a);
console.trace = (...a) => logLine("TRACE", a);

function errorDocument(err) {
  if (err instanceof Error || (err && typeof err === "object" && "message" in err)) {
    return {
      errorType: err.name || (err.constructor && err.constructor.name) || "Error",
      errorMessage: String(err.message),
      trace: typeof err.stack === "string" ? err.stack.split("\n") : [],
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

class UserError extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

async function loadHandler(handlerString) {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handlerString.lastIndexOf(".");
  if (dot < 0) {
    throw new UserError("Runtime.MalformedHandlerName", `Bad handler ${handlerString}`);
  }
  const modulePath = handlerString.slice(0, dot);
  const exportPath = handlerString.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  let file = null;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    if (fs.existsSync(base + ext)) { file = base + ext; break; }
  }
  if (file === null) {
    throw new UserError("Runtime.ImportModuleError",
      `Error: Cannot find module '${path.basename(modulePath)}'\nRequire stack:\n- ${__filename}`);
  }
  let mod;
  if (file.endsWith(".mjs")) {
    mod = await import(pathToFileURL(file).href);
  } else {
    try {
      mod = require(file);
    } catch (e) {
      if (e && e.code === "ERR_REQUIRE_ESM") {
        mod = await import(pathToFileURL(file).href);
      } else if (e instanceof SyntaxError) {
        throw new UserError("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`);
      } else {
        throw e;
      }
    }
  }
  let handler = mod;
  for (const part of exportPath.split(".")) {
    handler = handler == null ? undefined : handler[part];
  }
  if (handler === undefined && mod && mod.default) handler = mod.default[exportPath];
  if (typeof handler !== "function") {
    throw new UserError("Runtime.HandlerNotFound",
      `${path.basename(modulePath)}.${exportPath} is undefined or not exported`);
  }
  return handler;
}

function makeContext(headers, answer) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: headers["lambda-runtime-cognito-identity"]
      ? JSON.parse(headers["lambda-runtime-cognito-identity"]) : undefined,
    clientContext: headers["lambda-runtime-client-context"]
      ? JSON.parse(headers["lambda-runtime-client-context"]) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => answer(null, result, false),
    fail: (err) => answer(err == null ? "handled" : err, undefined, false),
    done: (err, result) => answer(err, result, false),
  };
  return context;
}

function invokeOnce(handler, headers, event) {
  return new Promise((resolve) => {
    let answered = false;
    let context;
    const answer = (err, result, waitForLoop) => {
      if (answered) return;
      answered = true;
      const outcome = err !== null && err !== undefined
        ? { error: errorDocument(err) } : { result };
      if (waitForLoop && context.callbackWaitsForEmptyEventLoop) {
        // AWS's runtime answers once nothing else is left to run.
        process.once("beforeExit", () => resolve(outcome));
      } else {
        resolve(outcome);
      }
    };
    context = makeContext(headers, answer);
    const callback = (err, result) => answer(err, result, true);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      answer(err, undefined, false);
      return;
    }
    if (returned && typeof returned.then === "function") {
      returned.then((result) => answer(null, result, false),
                    (err) => answer(err === undefined ? new Error("undefined") : err,
                                    undefined, false));
    } else if (handler.length < 3 && !answered) {
      // A synchronous handler that takes no callback: its return value is the result.
      answer(null, returned, false);
    }
  });
}

function serialize(result) {
  return result === undefined ? "null" : JSON.stringify(result);
}

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || "index.handler");
  } catch (err) {
    const doc = errorDocument(err);
    logLine("ERROR", [`Init Error \t${JSON.stringify(doc)}`]);
    await request("POST", "/init/error", JSON.stringify(doc), {
      "Content-Type": "application/json",
      "Lambda-Runtime-Function-Error-Type": doc.errorType,
    });
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const headers = next.headers;
    const requestId = headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    if (headers["lambda-runtime-trace-id"]) {
      process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    let event;
    try {
      event = JSON.parse(next.body.toString("utf8"));
    } catch (err) {
      event = next.body.toString("utf8");
    }
    const outcome = await invokeOnce(handler, headers, event);
    if (outcome.error) {
      logLine("ERROR", [`Invoke Error \t${JSON.stringify(outcome.error)}`]);
      await request("POST", `/invocation/${requestId}/error`, JSON.stringify(outcome.error), {
        "Content-Type": "application/json",
        "Lambda-Runtime-Function-Error-Type": outcome.error.errorType,
      });
    } else {
      let body;
      try {
        body = serialize(outcome.result);
      } catch (err) {
        const doc = { errorType: "Runtime.MarshalError",
                      errorMessage: `Unable to stringify response body: ${err.message}`,
                      trace: [] };
        await request("POST", `/invocation/${requestId}/error`, JSON.stringify(doc), {
          "Content-Type": "application/json",
          "Lambda-Runtime-Function-Error-Type": doc.errorType,
        });
        continue;
      }
      await request("POST", `/invocation/${requestId}/response`, body,
                    { "Content-Type": "application/json" });
    }
  }
}

process.on("uncaughtException", (err) => {
  const doc = errorDocument(err);
  logLine("ERROR", [`Uncaught Exception \t${JSON.stringify(doc)}`]);
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  const doc = errorDocument(reason);
  logLine("ERROR", [`Unhandled Promise Rejection \t${JSON.stringify(doc)}`]);
  process.exit(128);
});

main();
