'use strict';
// Run with --abort-on-uncaught-exception: a throw inside a promise callback becomes an unhandled
// rejection, which Node raises as an uncaught exception and aborts on. Node prints the JavaScript
// stack of the aborting thread on stderr ("----- JavaScript stack trace -----").
function failInside(value) {
  throw new Error(`rejected with ${value}`);
}

Promise.resolve(42).then(function onResolved(v) {
  failInside(v);
});
