// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT (as the project declares in its later package.json; none declared at this commit)).
// Repository: https://github.com/fergiemcdowall/norch
// Commit:     e00d9ba24dc4877f372a41cd1eb284b5edccf248 (its parent holds this version)
// Path:       norch.js
// Subject:    Read submitted document asynchronically
// Rule:       blocking-in-async should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Express 3 POST /indexer handler (plain callback, not async) reads the uploaded document with fs.readFileSync(req.files.document.path) before indexing
// Note:       Cut down to the app set-up and the /indexer route.


/**
 * Module dependencies.
 */

var express = require('express')
, http = require('http')
, path = require('path')
, fs = require('fs')
, norch = require('search-index');

var app = express();


// all environments
app.set('port', process.env.PORT || 3000);
app.use(express.favicon());
app.use(express.logger('dev'));
app.use(express.bodyParser());
app.use(express.methodOverride());
app.use(app.router);
app.use(express.static(path.join(__dirname, 'public')));


app.post('/indexer', function(req, res) {
  console.log('requested indexer');
  var filters = [];
  if (req.body.filterOn) {
    filters = req.body.filterOn.split(',');
  }
  var batch = fs.readFileSync(req.files.document.path, 'utf8');
  norch.index(batch, req.files.document.name, filters, function(msg) {
    res.send(msg);
  });
});
