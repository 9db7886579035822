'use strict';
// Dies by process.abort() three named functions deep: a function called through setTimeout, a class
// method, and an arrow function. Just before, it records `new Error().stack` (taken on the same
// line as the abort) in $COREWALK_OUT/expected.txt, the truth `corewalk stack` is checked against.
const fs = require('fs');
const path = require('path');

function record(stack) {
  const out = process.env.COREWALK_OUT || process.cwd();
  fs.writeFileSync(path.join(out, 'expected.txt'), stack);
}

const dive = (depth) => { const e = new Error('here'); record(e.stack); process.abort(); };

class Diver {
  constructor(depth) {
    this.depth = depth;
  }

  descend() {
    return dive(this.depth);
  }
}

setTimeout(function onTimer() {
  new Diver(3).descend();
}, 10);
