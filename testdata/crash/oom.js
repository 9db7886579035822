'use strict';
// Runs out of heap (start it with a small --max-old-space-size) in a named allocation loop;
// V8's out-of-memory handler aborts the process.
const kept = [];

function grow(list) {
  for (let i = 0; ; i++) { // LOOP-LINE
    list.push({ index: i, text: 'item ' + i, values: [i, i + 1, i + 2] }); // GROW-LINE
  }
}

grow(kept);
