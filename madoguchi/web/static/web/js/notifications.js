// Console: notifications area. Loaded on every console page after console.js.
