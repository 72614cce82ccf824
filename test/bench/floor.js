// The floor: what a script with our runtime's job cannot avoid on a first visit, and nothing else. It fetches
// and parses the bundle its tag names, creates the IndexedDB database, takes the Web Lock, reads the visitor,
// writes a new one and tells other tabs, the calls the runtime makes; it evaluates no workflow. The bench loads it
// like the runtime (an async script tag) and reports its main-thread JavaScript beside ours: what is left, ours
// minus the floor, is the runtime's own work (docs/benchmarks.md).
(function () {
  var tag = document.currentScript;
  var done = function (info) { window.__done(info); };
  var open = new Promise(function (ok, no) {
    var r = indexedDB.open('workflows');
    r.onupgradeneeded = function () { r.result.createObjectStore('state'); };
    r.onsuccess = function () { ok(r.result); };
    r.onerror = function () { no(r.error); };
  });
  var tx = function (db, mode, fn) {
    return new Promise(function (ok, no) {
      var t = db.transaction('state', mode);
      var q = fn(t.objectStore('state'));
      t.oncomplete = function () { ok(q.result); };
      t.onerror = t.onabort = function () { no(t.error); };
    });
  };
  var channel = new BroadcastChannel('workflows:visitor');
  var bundle = fetch(tag.getAttribute('data-workflows')).then(function (r) { return r.json(); });
  var lease = new Promise(function (ok) {
    navigator.locks.request('workflows:visitor', function () { ok(); return new Promise(function () {}); });
  });
  Promise.all([bundle, open, lease])
    .then(function (v) {
      var db = v[1];
      return tx(db, 'readonly', function (o) { return o.get('visitor'); }).then(function (j) {
        var visitor = j ? JSON.parse(j) : { id: Array.from(crypto.getRandomValues(new Uint8Array(16))).join('.'), first: Date.now() };
        return tx(db, 'readwrite', function (o) { return o.put(JSON.stringify(visitor), 'visitor'); }).then(function () {
          channel.postMessage(1);
          done({ workflows: v[0].workflows.length });
        });
      });
    })
    .catch(function (e) { done({ error: 'floor: ' + e }); });
})();
