// Console: customers area. Loaded on every console page after console.js.
