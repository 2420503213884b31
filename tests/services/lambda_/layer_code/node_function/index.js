// A handler whose package comes from its layer.
const greetings = require("greetings");

exports.handler = async () => greetings.WORD;
