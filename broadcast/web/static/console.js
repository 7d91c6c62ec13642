/* The console's small script. Every page works without it; it only adds live updates. */
"use strict";
