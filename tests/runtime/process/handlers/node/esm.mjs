export const handler = async (event, context) => {
  console.info("esm handler");
  return { esm: true, event, requestId: context.awsRequestId };
};
