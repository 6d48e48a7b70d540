-- SPDX-License-Identifier: GPL-2.0-only
-- scanwatch's central database, schema version 1 (README.md, "Central database").
-- Applied by `scanwatch db-init --db URL` (one transaction); run, replay, summary, report and
-- alerts refuse a database whose scanwatch_schema says another version.

CREATE TABLE scanwatch_schema (version integer NOT NULL);
INSERT INTO scanwatch_schema VALUES (1);

-- Which login role writes which point: a sensor's role adds rows of its own points only.
CREATE TABLE sw_point_role (
	point text PRIMARY KEY CHECK (point ~ '^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$'),
	role name NOT NULL
);

-- One row per point and day: the header of DATA_DIR/POINT/daily/DAY.txt. "time" is the start of
-- the day in the sensor's zone, the time column of Grafana's PostgreSQL data source.
CREATE TABLE sw_day (
	point text NOT NULL,
	day date NOT NULL,
	time timestamptz NOT NULL,
	tz text NOT NULL,
	seq bigint NOT NULL, -- the last interval stored in the day
	pairs bigint NOT NULL,
	PRIMARY KEY (point, day)
);

CREATE TABLE sw_day_stat (
	point text NOT NULL,
	day date NOT NULL,
	stat text NOT NULL,
	value bigint NOT NULL,
	PRIMARY KEY (point, day, stat),
	FOREIGN KEY (point, day) REFERENCES sw_day
);

CREATE TABLE sw_day_key (
	point text NOT NULL,
	day date NOT NULL,
	key text NOT NULL, -- tcp/445, udp/53, icmp/echo, frag...
	kind text NOT NULL CHECK (kind IN ('scan', 'backscatter', 'other')),
	accesses bigint NOT NULL,
	sources bigint NOT NULL, -- gross: (source, key) pairs first seen that day
	mirai bigint NOT NULL,
	zmap bigint NOT NULL,
	masscan bigint NOT NULL,
	lost bigint NOT NULL,
	PRIMARY KEY (point, day, key, kind),
	FOREIGN KEY (point, day) REFERENCES sw_day
);
CREATE INDEX sw_day_key_by_key ON sw_day_key (key, day);

CREATE TABLE sw_day_area (
	point text NOT NULL,
	day date NOT NULL,
	area text NOT NULL CHECK (area ~ '^([A-Z][A-Z]|\?\?)$'),
	accesses bigint NOT NULL,
	sources bigint NOT NULL,
	PRIMARY KEY (point, day, area),
	FOREIGN KEY (point, day) REFERENCES sw_day
);

-- Every interval added, once: its (point, seq) is what makes a retry add nothing twice.
CREATE TABLE sw_interval (
	point text NOT NULL,
	seq bigint NOT NULL,
	day date NOT NULL,
	start timestamptz NOT NULL,
	len_s integer NOT NULL,
	stored timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (point, seq),
	FOREIGN KEY (point, day) REFERENCES sw_day
);

-- The lines of DATA_DIR/POINT/victims/DAY.txt: seq is the interval that appended them (0 for
-- lines a day's first copy brought), n their order in it.
CREATE TABLE sw_victim (
	point text NOT NULL,
	day date NOT NULL,
	seq bigint NOT NULL,
	n integer NOT NULL,
	addr text NOT NULL,
	key text NOT NULL,
	packets bigint NOT NULL,
	first_ns bigint NOT NULL,
	last_ns bigint NOT NULL,
	PRIMARY KEY (point, day, seq, n),
	FOREIGN KEY (point, day) REFERENCES sw_day
);

-- The lines of DATA_DIR/POINT/alerts.log, n counting its alert lines from 1.
CREATE TABLE sw_alert (
	point text NOT NULL,
	n integer NOT NULL,
	at timestamptz NOT NULL,
	kind text NOT NULL,
	key text NOT NULL,
	line text NOT NULL,
	PRIMARY KEY (point, n)
);

-- ---- roles: scanwatch_sensor adds rows of its own points, scanwatch_report reads ----

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scanwatch_sensor') THEN
		CREATE ROLE scanwatch_sensor NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scanwatch_report') THEN
		CREATE ROLE scanwatch_report NOLOGIN;
	END IF;
END
$$;

CREATE FUNCTION sw_own_point(p text) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM sw_point_role r WHERE r.point = p AND r.role = current_user)
$$;

-- What run and replay ask at start: may this connection add rows of point p?
CREATE FUNCTION sw_can_write(p text) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT sw_own_point(p)
	    OR (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)
	    OR pg_has_role(current_user, (SELECT tableowner FROM pg_tables
	                                  WHERE schemaname = current_schema()
	                                    AND tablename = 'sw_day'), 'MEMBER')
$$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sw_day', 'sw_day_stat', 'sw_day_key', 'sw_day_area',
	                         'sw_interval', 'sw_victim', 'sw_alert'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY sensor_own ON %I TO scanwatch_sensor '
		               'USING (sw_own_point(point)) WITH CHECK (sw_own_point(point))', t);
		EXECUTE format('CREATE POLICY report_reads ON %I FOR SELECT TO scanwatch_report '
		               'USING (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO scanwatch_sensor', t);
		EXECUTE format('GRANT SELECT ON %I TO scanwatch_report', t);
	END LOOP;
END
$$;
GRANT SELECT ON scanwatch_schema, sw_point_role TO scanwatch_sensor, scanwatch_report;

-- ---- adding what a sensor stored: one call, one transaction, per spooled record ----

CREATE FUNCTION sw_contradiction(msg text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'SW001', MESSAGE = msg;
END
$$;

/*
 * A record as the sensor spools it (JSON, README.md "Central database"):
 *  interval: what one interval added to a day, and the totals the daily file holds after it;
 *  day:      a whole daily file, sent when a sensor opens a day it already has;
 *  alerts:   lines of alerts.log.
 * A row that does not end up as the daily file says is a contradiction (SQLSTATE SW001): the
 * transaction is rolled back, nothing is overwritten, and the sensor reports it.
 */
CREATE FUNCTION sw_apply(r jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text := r->>'point';
	d date := (r->>'day')::date;
	s bigint := (r->>'seq')::bigint;
	cur bigint;
	cur_tz text;
	tot bigint;
	bad text;
BEGIN
	IF (r->>'v') IS DISTINCT FROM '1' THEN
		RAISE EXCEPTION USING ERRCODE = 'SW002',
			MESSAGE = 'record format ' || coalesce(r->>'v', 'none') || ' is not 1';
	END IF;

	IF r->>'type' = 'alerts' THEN
		INSERT INTO sw_alert (point, n, at, kind, key, line)
		SELECT p, (e->>0)::integer, to_timestamp(split_part(e->>1, ' ', 2)::bigint),
		       split_part(e->>1, ' ', 1), split_part(e->>1, ' ', 4), e->>1
		FROM jsonb_array_elements(r->'lines') e
		ON CONFLICT (point, n) DO NOTHING;
		SELECT format('point %s: alerts.log line %s is "%s" in the database and "%s" in the file',
		              p, a.n, a.line, e->>1) INTO bad
		FROM jsonb_array_elements(r->'lines') e
		JOIN sw_alert a ON a.point = p AND a.n = (e->>0)::integer
		WHERE a.line <> e->>1 LIMIT 1;
		IF bad IS NOT NULL THEN
			PERFORM sw_contradiction(bad);
		END IF;
		RETURN 'alerts';
	END IF;

	SELECT sw_day.seq, sw_day.tz INTO cur, cur_tz FROM sw_day
	WHERE point = p AND day = d FOR UPDATE;

	IF r->>'type' = 'day' THEN
		IF NOT FOUND THEN
			INSERT INTO sw_day VALUES (p, d, to_timestamp((r->>'time')::bigint), r->>'tz', s,
			                           (r->>'pairs')::bigint);
			INSERT INTO sw_day_stat
			SELECT p, d, e->>0, (e->>1)::bigint FROM jsonb_array_elements(r->'stats') e;
			INSERT INTO sw_day_key
			SELECT p, d, e->>0, e->>1, (e->>2)::bigint, (e->>3)::bigint, (e->>4)::bigint,
			       (e->>5)::bigint, (e->>6)::bigint, (e->>7)::bigint
			FROM jsonb_array_elements(r->'keys') e;
			INSERT INTO sw_day_area
			SELECT p, d, e->>0, (e->>1)::bigint, (e->>2)::bigint
			FROM jsonb_array_elements(r->'areas') e;
			INSERT INTO sw_victim
			SELECT p, d, 0, x.n, x.e->>0, x.e->>1, (x.e->>2)::bigint, (x.e->>3)::bigint,
			       (x.e->>4)::bigint
			FROM jsonb_array_elements(r->'victims') WITH ORDINALITY AS x(e, n);
			RETURN 'day added';
		END IF;
		IF cur <> s OR cur_tz <> r->>'tz' THEN
			PERFORM sw_contradiction(format(
				'point %s, %s: the database holds the day up to interval %s (zone %s), '
				'the daily file up to %s (zone %s)', p, d, cur, cur_tz, s, r->>'tz'));
		END IF;
		SELECT format('point %s, %s: key %s %s is %s in the database and %s in the daily file '
		              '(accesses sources mirai zmap masscan lost)', p, d,
		              coalesce(f.k, t.key), coalesce(f.kd, t.kind),
		              coalesce(array[t.accesses, t.sources, t.mirai, t.zmap, t.masscan, t.lost]::text, 'missing'),
		              coalesce(array[f.a, f.s, f.m, f.z, f.ma, f.l]::text, 'missing')) INTO bad
		FROM (SELECT e->>0 k, e->>1 kd, (e->>2)::bigint a, (e->>3)::bigint s, (e->>4)::bigint m,
		             (e->>5)::bigint z, (e->>6)::bigint ma, (e->>7)::bigint l
		      FROM jsonb_array_elements(r->'keys') e) f
		FULL JOIN (SELECT * FROM sw_day_key WHERE point = p AND day = d) t
		       ON t.key = f.k AND t.kind = f.kd
		WHERE (coalesce(f.a, 0), coalesce(f.s, 0), coalesce(f.m, 0), coalesce(f.z, 0),
		       coalesce(f.ma, 0), coalesce(f.l, 0))
		      IS DISTINCT FROM
		      (coalesce(t.accesses, 0), coalesce(t.sources, 0), coalesce(t.mirai, 0),
		       coalesce(t.zmap, 0), coalesce(t.masscan, 0), coalesce(t.lost, 0))
		LIMIT 1;
		IF bad IS NULL THEN
			SELECT format('point %s, %s: area %s is %s in the database and %s in the daily '
			              'file (accesses sources)', p, d, coalesce(f.c, t.area),
			              coalesce(array[t.accesses, t.sources]::text, 'missing'),
			              coalesce(array[f.a, f.s]::text, 'missing')) INTO bad
			FROM (SELECT e->>0 c, (e->>1)::bigint a, (e->>2)::bigint s
			      FROM jsonb_array_elements(r->'areas') e) f
			FULL JOIN (SELECT * FROM sw_day_area WHERE point = p AND day = d) t ON t.area = f.c
			WHERE (coalesce(f.a, 0), coalesce(f.s, 0))
			      IS DISTINCT FROM (coalesce(t.accesses, 0), coalesce(t.sources, 0))
			LIMIT 1;
		END IF;
		IF bad IS NULL THEN
			SELECT format('point %s, %s: stat %s is %s in the database and %s in the daily '
			              'file', p, d, coalesce(f.n, t.stat), coalesce(t.value::text, 'missing'),
			              coalesce(f.v::text, 'missing')) INTO bad
			FROM (SELECT e->>0 n, (e->>1)::bigint v FROM jsonb_array_elements(r->'stats') e) f
			FULL JOIN (SELECT * FROM sw_day_stat WHERE point = p AND day = d) t ON t.stat = f.n
			WHERE coalesce(f.v, 0) <> coalesce(t.value, 0)
			LIMIT 1;
		END IF;
		IF bad IS NULL THEN
			SELECT format('point %s, %s: %s pairs in the database, %s in the daily file',
			              p, d, pairs, r->>'pairs') INTO bad
			FROM sw_day WHERE point = p AND day = d AND pairs <> (r->>'pairs')::bigint;
		END IF;
		IF bad IS NOT NULL THEN
			PERFORM sw_contradiction(bad);
		END IF;
		RETURN 'day verified';
	END IF;

	IF r->>'type' <> 'interval' THEN
		RAISE EXCEPTION USING ERRCODE = 'SW002', MESSAGE = 'unknown record type ' || (r->>'type');
	END IF;
	PERFORM 1 FROM sw_interval i WHERE i.point = p AND i.seq = s;
	IF FOUND THEN
		RETURN 'duplicate';
	END IF;
	IF cur IS NULL THEN
		IF (r->>'prev')::bigint <> 0 THEN
			PERFORM sw_contradiction(format(
				'point %s, %s: the database does not have the day, but the daily file had '
				'intervals before this one (up to %s)', p, d, r->>'prev'));
		END IF;
		INSERT INTO sw_day VALUES (p, d, to_timestamp((r->>'time')::bigint), r->>'tz', s,
		                           (r->'pairs'->>0)::bigint);
	ELSE
		IF cur <> (r->>'prev')::bigint OR cur_tz <> r->>'tz' THEN
			PERFORM sw_contradiction(format(
				'point %s, %s: the database holds the day up to interval %s (zone %s), the '
				'daily file added interval %s to %s (zone %s)', p, d, cur, cur_tz, s,
				r->>'prev', r->>'tz'));
		END IF;
		UPDATE sw_day SET seq = s, pairs = pairs + (r->'pairs'->>0)::bigint
		WHERE point = p AND day = d RETURNING pairs INTO tot;
		IF tot <> (r->'pairs'->>1)::bigint THEN
			PERFORM sw_contradiction(format('point %s, %s: %s pairs in the database, %s in '
			                                'the daily file', p, d, tot - (r->'pairs'->>0)::bigint,
			                                (r->'pairs'->>1)::bigint - (r->'pairs'->>0)::bigint));
		END IF;
	END IF;

	INSERT INTO sw_day_stat AS t
	SELECT p, d, e->>0, (e->>1)::bigint FROM jsonb_array_elements(r->'stats') e
	ON CONFLICT (point, day, stat) DO UPDATE SET value = t.value + excluded.value;
	INSERT INTO sw_day_key AS t
	SELECT p, d, e->>0, e->>1, (e->>2)::bigint, (e->>3)::bigint, (e->>4)::bigint,
	       (e->>5)::bigint, (e->>6)::bigint, (e->>7)::bigint
	FROM jsonb_array_elements(r->'keys') e
	ON CONFLICT (point, day, key, kind) DO UPDATE SET
		accesses = t.accesses + excluded.accesses, sources = t.sources + excluded.sources,
		mirai = t.mirai + excluded.mirai, zmap = t.zmap + excluded.zmap,
		masscan = t.masscan + excluded.masscan, lost = t.lost + excluded.lost;
	INSERT INTO sw_day_area AS t
	SELECT p, d, e->>0, (e->>1)::bigint, (e->>2)::bigint FROM jsonb_array_elements(r->'areas') e
	ON CONFLICT (point, day, area) DO UPDATE SET
		accesses = t.accesses + excluded.accesses, sources = t.sources + excluded.sources;

	-- What the interval's rows hold now must be what the daily file holds after it.
	SELECT format('point %s, %s: stat %s is %s in the database and %s in the daily file', p, d,
	              t.stat, t.value - (e->>1)::bigint, (e->>2)::bigint - (e->>1)::bigint) INTO bad
	FROM jsonb_array_elements(r->'stats') e
	JOIN sw_day_stat t ON t.point = p AND t.day = d AND t.stat = e->>0
	WHERE t.value <> (e->>2)::bigint LIMIT 1;
	IF bad IS NULL THEN
		SELECT format('point %s, %s: key %s %s has %s accesses and %s sources in the database, '
		              '%s and %s in the daily file', p, d, t.key, t.kind,
		              t.accesses - (e->>2)::bigint, t.sources - (e->>3)::bigint,
		              (e->>8)::bigint - (e->>2)::bigint, (e->>9)::bigint - (e->>3)::bigint) INTO bad
		FROM jsonb_array_elements(r->'keys') e
		JOIN sw_day_key t ON t.point = p AND t.day = d AND t.key = e->>0 AND t.kind = e->>1
		WHERE (t.accesses, t.sources, t.mirai, t.zmap, t.masscan, t.lost) <>
		      ((e->>8)::bigint, (e->>9)::bigint, (e->>10)::bigint, (e->>11)::bigint,
		       (e->>12)::bigint, (e->>13)::bigint)
		LIMIT 1;
	END IF;
	IF bad IS NULL THEN
		SELECT format('point %s, %s: area %s has %s accesses and %s sources in the database, '
		              '%s and %s in the daily file', p, d, t.area,
		              t.accesses - (e->>1)::bigint, t.sources - (e->>2)::bigint,
		              (e->>3)::bigint - (e->>1)::bigint, (e->>4)::bigint - (e->>2)::bigint) INTO bad
		FROM jsonb_array_elements(r->'areas') e
		JOIN sw_day_area t ON t.point = p AND t.day = d AND t.area = e->>0
		WHERE (t.accesses, t.sources) <> ((e->>3)::bigint, (e->>4)::bigint) LIMIT 1;
	END IF;
	IF bad IS NOT NULL THEN
		PERFORM sw_contradiction(bad || ' (before interval ' || s || ')');
	END IF;

	INSERT INTO sw_victim
	SELECT p, d, s, x.n, x.e->>0, x.e->>1, (x.e->>2)::bigint, (x.e->>3)::bigint,
	       (x.e->>4)::bigint
	FROM jsonb_array_elements(r->'victims') WITH ORDINALITY AS x(e, n);
	INSERT INTO sw_interval VALUES (p, s, d, to_timestamp((r->>'start')::bigint),
	                                (r->>'len')::integer);
	RETURN 'interval added';
END
$$;
GRANT EXECUTE ON FUNCTION sw_apply(jsonb), sw_can_write(text), sw_own_point(text),
	sw_contradiction(text) TO scanwatch_sensor;
GRANT EXECUTE ON FUNCTION sw_can_write(text), sw_own_point(text) TO scanwatch_report;
