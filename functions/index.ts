// The entry point (package.json "main"). ES modules evaluate in import order, so setup runs before any
// function module registers itself.
import './setup.js';
import './health.js';
import './openapi.js';
import './manage-me.js';
import './manage-organizations.js';
import './manage-projects.js';
import './manage-members.js';
import './manage-api-keys.js';
import './manage-digital-twin-consent.js';
import './public-project.js';
import './catalog.js';
import './companions.js';
import './digital-twins.js';
import './companion-uploads.js';
import './companion-media-fetch.js';
import './companion-media-check.js';
import './blob-trigger-poison.js';
import './companion-assets.js';
import './companion-generation-jobs.js';
import './avatar-engine-callback.js';
