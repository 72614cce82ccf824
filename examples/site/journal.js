// The Journal: a small single-page app. Links marked data-route change the view with history.pushState, the
// back and forward buttons with popstate; the URL (/app.html?story=<id>) always says which view is shown, so a
// reload or a shared link opens the same one. The Workflows runtime counts each route change as a page view.
(function () {
  'use strict';
  var hp = window.harborPine;
  var STORIES = {
    'wet-weekend': {
      title: 'Packing for a wet weekend',
      date: 'March 14',
      tone: '#3f6f8f',
      intro: 'Two nights on the coast path, rain forecast for both. Here is what came with us, and what stayed home.',
      body: [
        'Rain is only miserable when everything gets wet at once. Pack in layers you can add and shed without stopping: a merino base, a light fleece, and a shell that breathes on the climbs.',
        'Keep one dry set for camp in a roll-top bag, and never hike in it. Wet socks in the morning are a rite of passage; wet socks in your sleeping bag are a mistake.',
      ],
      shop: ['ridgeline-rain-jacket', 'alpine-merino-layer'],
    },
    'shell-care': {
      title: 'Caring for your rain shell',
      date: 'February 2',
      tone: '#4f7f62',
      intro: 'A jacket that wets out is usually dirty, not worn out. Ten minutes of care brings the beading back.',
      body: [
        'Wash it with a technical cleaner on a warm, gentle cycle, rinse twice, and skip fabric softener: it clogs the membrane.',
        'Tumble dry on low for twenty minutes. The heat reactivates the water-repellent finish; if water still soaks in, it is time for a spray-on treatment.',
      ],
      shop: ['ridgeline-rain-jacket', 'coastline-windbreaker'],
    },
  };
  var view = document.querySelector('[data-view]');
  var crumb = document.querySelector('[data-crumb]');
  var esc = hp.esc;

  function index() {
    return '<section><h1 tabindex="-1">The Journal</h1><p class="lede">Trip notes, packing lists and gear care from the Harbor &amp; Pine team.</p><div class="grid">' +
      Object.keys(STORIES).map(function (id) {
        var s = STORIES[id];
        return '<a class="card" href="/app.html?story=' + id + '" data-route><div class="photo wide" style="--tone: ' + s.tone + '" aria-hidden="true"></div>' +
          '<div class="info"><p class="muted">' + esc(s.date) + '</p><h2 class="card-title">' + esc(s.title) + '</h2><p class="muted">' + esc(s.intro) + '</p></div></a>';
      }).join('') + '</div></section>';
  }
  function story(id) {
    var s = STORIES[id];
    return '<article class="story"><p class="muted">' + esc(s.date) + '</p><h1 tabindex="-1">' + esc(s.title) + '</h1><p class="lede">' + esc(s.intro) + '</p>' +
      s.body.map(function (p) { return '<p>' + esc(p) + '</p>'; }).join('') +
      '<h2>Shop the story</h2><ul class="shop-story">' + s.shop.map(function (pid) {
        var p = hp.catalog[pid];
        return '<li>' + hp.photo(pid, 'small') + '<div><a href="/product.html?id=' + pid + '"><strong>' + esc(p.name) + '</strong></a><br><span class="muted">' + hp.money.format(p.price) + '</span></div>' +
          '<button class="button small" type="button" data-add="' + pid + '">Add to cart<span class="visually-hidden"> ' + esc(p.name) + '</span></button><p class="status" data-status role="status"></p></li>';
      }).join('') + '</ul><p><a href="/app.html" data-route>← All stories</a></p></article>';
  }
  // Draws the view the URL names; `focus` moves keyboard and screen-reader users to the new heading.
  function render(focus) {
    var id = new URLSearchParams(location.search).get('story');
    if (!STORIES[id]) id = null;
    view.innerHTML = id ? story(id) : index();
    crumb.textContent = id ? ' / ' + STORIES[id].title : '';
    document.title = (id ? STORIES[id].title + ' · ' : '') + 'Journal · Harbor & Pine';
    if (focus) view.querySelector('h1').focus();
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-route]');
    if (!a || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (a.href !== location.href) history.pushState(null, '', a.href);
    render(true);
    window.scrollTo(0, 0);
  });
  window.addEventListener('popstate', function () { render(true); });
  render(false);
})();
