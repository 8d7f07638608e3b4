// Parse iCal feeds with Mozilla's ical.js (the library inside Thunderbird) and print
// what a calendar client would show, as JSON: one entry per file, one per event, with
// the instants as Unix seconds. Usage: node tests/js/parse_feeds.mjs FILE.ics ...
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = {};
for (const path of process.argv.slice(2)) {
  const cal = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtz of cal.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtz);
  }
  const events = cal.getAllSubcomponents("vevent").map((vevent) => {
    const ev = new ICAL.Event(vevent);
    const alarm = vevent.getFirstSubcomponent("valarm");
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      summary: ev.summary,
      description: ev.description,
      start_tzid: ev.startDate.zone ? ev.startDate.zone.tzid : null,
      start: ev.startDate.toUnixTime(),
      end: ev.endDate.toUnixTime(),
      transp: vevent.getFirstPropertyValue("transp"),
      alarm: alarm ? alarm.getFirstPropertyValue("trigger").toString() : null,
    };
  });
  out[path] = {
    calname: cal.getFirstPropertyValue("x-wr-calname"),
    method: cal.getFirstPropertyValue("method"),
    events,
  };
  for (const vtz of cal.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.remove(vtz.getFirstPropertyValue("tzid"));
  }
}
process.stdout.write(JSON.stringify(out));
