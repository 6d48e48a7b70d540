-- SPDX-License-Identifier: GPL-2.0-only
-- scanwatch's central database, schema version 2: each day's peak rate, the most accesses its
-- point counted in one second of it, and that second (seconds since the epoch); 0 and 0 for a
-- day whose daily file does not record it (written by an older scanwatch).

INSERT INTO scanwatch_schema VALUES (2);

ALTER TABLE sw_day ADD COLUMN peak bigint NOT NULL DEFAULT 0,
	ADD COLUMN peak_s bigint NOT NULL DEFAULT 0;

-- Version 1's function adds and checks everything else; the new one adds the peak after it.
ALTER FUNCTION sw_apply(jsonb) RENAME TO sw_apply_v1;

/*
 * A record's "peak": for an interval [its peak, that second, the day's peak after it, that
 * second], for a day [the day's peak, that second]; records spooled by version 1 have none.
 * A peak is a maximum, not a sum: an interval's replaces the day's when it is larger, or as
 * large and earlier. The daily file knows every interval (a day begun before the database had
 * peaks, say): the row takes the file's peak unless the database knows a busier second, which is
 * a contradiction.
 */
CREATE FUNCTION sw_apply(r jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p text := r->>'point';
	d date := (r->>'day')::date;
	pk jsonb := r->'peak';
	res text;
	fp bigint;
	fs bigint;
	cur bigint;
	cur_s bigint;
BEGIN
	res := sw_apply_v1(r);
	IF pk IS NULL OR res NOT IN ('day added', 'day verified', 'interval added') THEN
		RETURN res;
	END IF;
	IF res = 'interval added' THEN
		UPDATE sw_day SET peak = (pk->>0)::bigint, peak_s = (pk->>1)::bigint
		WHERE point = p AND day = d AND (pk->>0)::bigint > 0
		  AND ((pk->>0)::bigint > peak OR ((pk->>0)::bigint = peak AND (pk->>1)::bigint < peak_s));
		fp := (pk->>2)::bigint;
		fs := (pk->>3)::bigint;
	ELSE
		fp := (pk->>0)::bigint;
		fs := (pk->>1)::bigint;
	END IF;
	SELECT peak, peak_s INTO cur, cur_s FROM sw_day WHERE point = p AND day = d;
	IF cur > fp OR (cur = fp AND cur > 0 AND cur_s <> fs) THEN
		PERFORM sw_contradiction(format(
			'point %s, %s: the day''s peak is %s accesses in second %s in the database, %s in '
			'second %s in the daily file', p, d, cur, cur_s, fp, fs));
	END IF;
	UPDATE sw_day SET peak = fp, peak_s = fs WHERE point = p AND day = d AND peak < fp;
	RETURN res;
END
$$;
GRANT EXECUTE ON FUNCTION sw_apply(jsonb) TO scanwatch_sensor;
