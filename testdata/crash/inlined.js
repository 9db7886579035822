'use strict';
// Run with --allow-natives-syntax. `outer` is optimized with `middle` inlined into it; `check` is
// kept out of optimization and aborts on the last call, so the aborting frame's caller is machine
// code whose position lies inside the inlined function. The trace V8 gives for that moment
// (`new Error().stack`, same line as the abort) is written to $COREWALK_OUT/expected.txt.
const fs = require('fs');
const path = require('path');

function check(n) {
  if (n > 1000) { const e = new Error('here'); fs.writeFileSync(path.join(process.env.COREWALK_OUT || '.', 'expected.txt'), e.stack); process.abort(); }
  return n;
}

function middle(n) {
  return check(n) + 1;
}

function outer(n) {
  return middle(n) * 2;
}

%NeverOptimizeFunction(check);
%PrepareFunctionForOptimization(outer);
for (let i = 0; i < 20; i++) outer(i);
%OptimizeFunctionOnNextCall(outer);
outer(1);
outer(5000);
