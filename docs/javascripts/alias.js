// Alias and old-slug pages (hooks/glossary/linking.py): go to the entry, keeping the query and the fragment, so a
// shared calculation or a section link behind an alias arrives whole. Without JavaScript the meta refresh goes to
// the entry alone.
(() => {
  "use strict";
  const target = document.querySelector('meta[name="alias-target"]')?.content;
  if (target) location.replace(new URL(target, location.href).pathname + location.search + location.hash);
})();
