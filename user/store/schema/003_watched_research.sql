-- SPDX-License-Identifier: GPL-2.0-only
-- scanwatch's central database, schema version 3: each day's count of watched addresses (the
-- daily file's "watched" line, --watch) and its research group (its "research" lines,
-- --research), so that the figures per watched address and the research scanners read from the
-- database as from the files.

INSERT INTO scanwatch_schema VALUES (3);

/*
 * watched: the addresses the day was counted for, overlaps merged, the largest set of the day;
 * 0 when part of the day was counted without --watch (the file has no watched line). NULL: the
 * database does not know the day's watched addresses nor its research group, a day it holds
 * from before version 3 (or from records of a sensor that sent neither); a reader takes it as
 * 0, unknown, and the next whole day the sensor sends (each start) brings both.
 */
ALTER TABLE sw_day ADD COLUMN watched numeric(39, 0)
	CHECK (watched BETWEEN 0 AND 340282366920938463463374607431768211455);

-- The research group's keys: sw_day_key's columns, kept out of it as the files keep them out
-- of every other figure.
CREATE TABLE sw_day_research (
	point text NOT NULL,
	day date NOT NULL,
	key text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('scan', 'backscatter', 'other')),
	accesses bigint NOT NULL,
	sources bigint NOT NULL,
	mirai bigint NOT NULL,
	zmap bigint NOT NULL,
	masscan bigint NOT NULL,
	lost bigint NOT NULL,
	PRIMARY KEY (point, day, key, kind),
	FOREIGN KEY (point, day) REFERENCES sw_day
);
ALTER TABLE sw_day_research ENABLE ROW LEVEL SECURITY;
CREATE POLICY sensor_own ON sw_day_research TO scanwatch_sensor
	USING (sw_own_point(point)) WITH CHECK (sw_own_point(point));
CREATE POLICY report_reads ON sw_day_research FOR SELECT TO scanwatch_report USING (true);
GRANT SELECT, INSERT, UPDATE ON sw_day_research TO scanwatch_sensor;
GRANT SELECT ON sw_day_research TO scanwatch_report;

-- Version 2's function adds and checks everything else; the new one adds these after it.
ALTER FUNCTION sw_apply(jsonb) RENAME TO sw_apply_v2;

/*
 * A record's "watched" and "research": for an interval, [the addresses this sensor counts the
 * interval for, the day's after it] and the interval's research keys as its "keys" are (what it
 * added, then what the row holds after it); for a day, the day's count and its research keys.
 * Records spooled by version 2 have neither. The count is not a sum: an interval of a new day
 * sets it; then a sensor that counts for another set makes it the larger, and one without
 * --watch makes it 0 (the daily file's rule, user/store/store.c). An interval of a day the
 * database does not know (NULL) adds nothing to it: the figures it would add to are not there.
 */
CREATE FUNCTION sw_apply(r jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text := r->>'point';
	d date := (r->>'day')::date;
	s bigint := (r->>'seq')::bigint;
	w jsonb := r->'watched';
	had boolean;
	cur numeric;
	iw numeric;
	fw numeric;
	want numeric;
	res text;
	bad text;
BEGIN
	SELECT sw_day.watched INTO cur FROM sw_day WHERE point = p AND day = d FOR UPDATE;
	had := FOUND;
	res := sw_apply_v2(r);
	IF w IS NULL OR res NOT IN ('day added', 'day verified', 'interval added') THEN
		RETURN res;
	END IF;

	IF res = 'interval added' THEN
		IF had AND cur IS NULL THEN
			RETURN res;
		END IF;
		iw := (w->>0)::numeric;
		fw := (w->>1)::numeric;
		want := CASE WHEN NOT had THEN iw WHEN cur = 0 OR iw = 0 THEN 0 ELSE greatest(cur, iw) END;
		IF fw IS DISTINCT FROM want THEN
			PERFORM sw_contradiction(format(
				'point %s, %s: the day counted for %s watched addresses in the database '
				'and interval %s counted for %s make %s; the daily file says %s',
				p, d, coalesce(cur::text, 'none yet'), s, iw, want, fw));
		END IF;
		UPDATE sw_day SET watched = fw WHERE point = p AND day = d;
		INSERT INTO sw_day_research AS t
		SELECT p, d, e->>0, e->>1, (e->>2)::bigint, (e->>3)::bigint, (e->>4)::bigint,
		       (e->>5)::bigint, (e->>6)::bigint, (e->>7)::bigint
		FROM jsonb_array_elements(r->'research') e
		ON CONFLICT (point, day, key, kind) DO UPDATE SET
			accesses = t.accesses + excluded.accesses,
			sources = t.sources + excluded.sources, mirai = t.mirai + excluded.mirai,
			zmap = t.zmap + excluded.zmap, masscan = t.masscan + excluded.masscan,
			lost = t.lost + excluded.lost;
		SELECT format('point %s, %s: research key %s %s has %s accesses and %s sources in the '
		              'database, %s and %s in the daily file (before interval %s)', p, d,
		              t.key, t.kind, t.accesses - (e->>2)::bigint, t.sources - (e->>3)::bigint,
		              (e->>8)::bigint - (e->>2)::bigint, (e->>9)::bigint - (e->>3)::bigint,
		              s) INTO bad
		FROM jsonb_array_elements(r->'research') e
		JOIN sw_day_research t ON t.point = p AND t.day = d AND t.key = e->>0
		                      AND t.kind = e->>1
		WHERE (t.accesses, t.sources, t.mirai, t.zmap, t.masscan, t.lost) <>
		      ((e->>8)::bigint, (e->>9)::bigint, (e->>10)::bigint, (e->>11)::bigint,
		       (e->>12)::bigint, (e->>13)::bigint)
		LIMIT 1;
		IF bad IS NOT NULL THEN
			PERFORM sw_contradiction(bad);
		END IF;
		RETURN res;
	END IF;

	-- A whole day: taken when the database has no such figures, compared when it has.
	fw := (r->>'watched')::numeric;
	IF res = 'day added' OR cur IS NULL THEN
		UPDATE sw_day SET watched = fw WHERE point = p AND day = d;
		INSERT INTO sw_day_research
		SELECT p, d, e->>0, e->>1, (e->>2)::bigint, (e->>3)::bigint, (e->>4)::bigint,
		       (e->>5)::bigint, (e->>6)::bigint, (e->>7)::bigint
		FROM jsonb_array_elements(r->'research') e;
		RETURN res;
	END IF;
	IF cur <> fw THEN
		PERFORM sw_contradiction(format(
			'point %s, %s: the day is counted for %s watched addresses in the database, '
			'for %s in the daily file', p, d, cur, fw));
	END IF;
	SELECT format('point %s, %s: research key %s %s is %s in the database and %s in the daily '
	              'file (accesses sources mirai zmap masscan lost)', p, d,
	              coalesce(f.k, t.key), coalesce(f.kd, t.kind),
	              coalesce(array[t.accesses, t.sources, t.mirai, t.zmap, t.masscan, t.lost]::text,
	                       'missing'),
	              coalesce(array[f.a, f.s, f.m, f.z, f.ma, f.l]::text, 'missing')) INTO bad
	FROM (SELECT e->>0 k, e->>1 kd, (e->>2)::bigint a, (e->>3)::bigint s, (e->>4)::bigint m,
	             (e->>5)::bigint z, (e->>6)::bigint ma, (e->>7)::bigint l
	      FROM jsonb_array_elements(r->'research') e) f
	FULL JOIN (SELECT * FROM sw_day_research WHERE point = p AND day = d) t
	       ON t.key = f.k AND t.kind = f.kd
	WHERE (coalesce(f.a, 0), coalesce(f.s, 0), coalesce(f.m, 0), coalesce(f.z, 0),
	       coalesce(f.ma, 0), coalesce(f.l, 0))
	      IS DISTINCT FROM
	      (coalesce(t.accesses, 0), coalesce(t.sources, 0), coalesce(t.mirai, 0),
	       coalesce(t.zmap, 0), coalesce(t.masscan, 0), coalesce(t.lost, 0))
	LIMIT 1;
	IF bad IS NOT NULL THEN
		PERFORM sw_contradiction(bad);
	END IF;
	RETURN res;
END
$$;
GRANT EXECUTE ON FUNCTION sw_apply(jsonb) TO scanwatch_sensor;
