// The seed form: exports.myHandler = function(event, context, callback) { ... }
let calls = 0;

exports.myHandler = function (event, context, callback) {
  calls += 1;
  console.log("got", JSON.stringify(event));
  if (event.fail) {
    callback(new Error("thumbnail failed: " + event.key));
    return;
  }
  // Pending work: the callback's answer waits for it (callbackWaitsForEmptyEventLoop).
  setTimeout(() => console.log("timer ran"), 20);
  callback(null, {
    key: event.key,
    calls,
    requestId: context.awsRequestId,
    remaining: context.getRemainingTimeInMillis() > 0,
    functionName: context.functionName,
    memory: context.memoryLimitInMB,
    trace: process.env._X_AMZN_TRACE_ID,
  });
};

exports.asyncHandler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (event.fail) {
    const err = new Error("async failure");
    err.name = "ValidationError";
    throw err;
  }
  return { async: true, value: event.value * 2 };
};

exports.noWait = function (event, context, callback) {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 60000);  // would keep the loop busy for a minute
  callback(null, "answered at once");
};

exports.succeeds = function (event, context) {
  context.succeed({ via: "succeed" });
};

exports.fails = function (event, context) {
  context.fail(new TypeError("via fail"));
};

exports.spins = async () => {
  await new Promise(() => setInterval(() => {}, 1000));
};

exports.hog = async (event) => {
  const chunks = [];
  for (let i = 0; i < event.mb; i++) {
    chunks.push(new Array(128 * 1024).fill(i));  // about 1 MB of heap each
  }
  return chunks.length;
};
