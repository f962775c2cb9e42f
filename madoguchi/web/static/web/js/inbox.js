// Console: inbox area. Loaded on every console page after console.js.
