-- Lists benchmark, step 2: a million submissions (70% decided, both grounds, clause links) by INSERT ... SELECT.
-- Run from the repository root after bench/lists/setup.py: psql -h 127.0.0.1 -U postgres DB -f bench/lists/fill.sql
\timing on
SET synchronous_commit = off;
SELECT setseed(0.42);
CREATE TEMP TABLE vocab (id serial PRIMARY KEY, w text);
\copy vocab (w) FROM '/tmp/lists-vocab.txt'
CREATE TEMP TABLE countries AS SELECT row_number() OVER () AS id, c FROM unnest(string_to_array('US,GB,FR,DE,KE,NG,IN,BR,MX,JP,CN,ZA,EG,ID,PK,BD,RU,TR,IR,TH,VN,PH,ET,CD,TZ,IT,ES,AR,CO,CA,UA,PL,MA,DZ,SD,UG,IQ,AF,SA,PE,MY,UZ,VE,NP,GH,YE,MZ,AU,CI,CM,MG,KP,NE,LK,BF,ML,RO,CL,KZ,ZM,GT,EC,SY,NL,SN,KH,TD,SO,ZW,GN,RW,BJ,BI,TN,BO,BE,HT,CU,SS,DO,CZ,GR,JO,PT,AZ,SE,HN,AE,HU,TJ,BY,AT,PG,RS,IL,CH,TG,SL,LA,PY,LY,BG,NI,KG,SV,TM,SG,DK,FI,CG,SK,NO,OM,PS,CR,LR,IE,CF,NZ,MR,PA,KW,HR,MD,GE,ER,UY,BA,MN,AM,JM,QA,AL,LT,NA,GM,BW,GA,LS,MK,SI,GW,LV,BH,GQ,TT,EE,TL,MU,CY,SZ,DJ,FJ,KM,GY,BT,SB,MO,ME,LU,SR,CV,MT,BN,BZ,BS,MV,IS,VU,BB,ST,WS,LC,KI,GD,VC,TO,SC,FM,AD,AG,DM,MH,KN,LI,MC,SM,PW,TV,NR', ',')) AS c;
INSERT INTO consultations_submission (process_id, number, reference, author_id, stakeholder_group_id, country, organisation,
  author_name, attribution, title, text, target_clause, target_id, round_id, status, withheld, proposed_change, language,
  language_source, text_sha256, form_token, received_at, updated_at, withdrawn_at)
SELECT 1, g, 'BENCH-' || CASE WHEN g < 100000 THEN lpad(g::text, 5, '0') ELSE g::text END, 2,
  (ARRAY[1,1,1,1,2,2,2,3,3,3,4,5,6])[1 + (g * 31) % 13],
  v.ca[1 + floor(190 * power(random(), 2))::int],
  'Organisation ' || (g % 5000), 'Author ' || (g % 20000),
  CASE WHEN g % 4 = 0 THEN 'group' ELSE 'name' END,
  (SELECT string_agg(va[1 + floor(5000 * power(random(), 2.5))::int + 0 * i], ' ') FROM generate_series(1, 4 + g % 5) i),
  (SELECT string_agg(va[1 + floor(5000 * power(random(), 2.5))::int + 0 * i], ' ') FROM generate_series(1, 40 + g % 60) i),
  '', NULL, 1 + g % 3,
  CASE WHEN (g::bigint * 7919) % 100 < 30 THEN 'pending' WHEN (g::bigint * 7919) % 100 < 65 THEN 'reflected'
       WHEN (g::bigint * 7919) % 100 < 80 THEN 'excluded' WHEN (g::bigint * 7919) % 100 < 90 THEN 'not_taken_up'
       WHEN (g::bigint * 7919) % 100 < 95 THEN 'reflected' ELSE 'withdrawn' END,
  (g::bigint * 7919) % 100 BETWEEN 65 AND 79 AND g % 3 = 0,
  '', (ARRAY['en','en','en','en','en','en','fr','fr','es','es','es',''])[1 + g % 12],
  CASE WHEN g % 12 = 11 THEN '' ELSE 'detected' END,
  md5(g::text) || md5((g + 1)::text), gen_random_uuid(),
  now() - interval '60 days' + g * interval '1 second', now() - interval '60 days' + g * interval '1 second',
  CASE WHEN (g::bigint * 7919) % 100 >= 95 THEN now() - interval '30 days' END
FROM generate_series(1, 1000000) g, (SELECT (SELECT array_agg(w ORDER BY id) FROM vocab) AS va, (SELECT array_agg(c ORDER BY id) FROM countries) AS ca) v;
UPDATE consultations_process SET last_number = 1000000, stats_version = stats_version + 1 WHERE id = 1;
INSERT INTO dispositions_decisionrevision (number, change, kind, ground, extent, legal_provision, justification, decided_at,
  decided_by_id, submission_id, version_id, withheld, entry_hash, prev_hash)
SELECT 1, 'decided', status,
  CASE WHEN status = 'excluded' THEN CASE WHEN withheld THEN 'public_morality' ELSE 'legal' END ELSE '' END,
  CASE WHEN status = 'reflected' THEN CASE WHEN number % 2 = 0 THEN 'full' ELSE 'partial' END ELSE '' END,
  CASE WHEN status = 'excluded' AND NOT withheld THEN 'Act ' || number || ', art. 5' ELSE '' END,
  CASE WHEN status = 'excluded' AND withheld THEN 'Offensive' WHEN status = 'not_taken_up' THEN 'Not adopted' ELSE '' END,
  now() - interval '10 days', 1, id, 1, withheld, '', ''
FROM consultations_submission WHERE process_id = 1 AND status IN ('reflected', 'excluded', 'not_taken_up');
INSERT INTO dispositions_disposition (kind, ground, extent, legal_provision, justification, decided_at, decided_by_id,
  submission_id, first_decided_at, revision_id, withheld)
SELECT kind, ground, extent, legal_provision, justification, decided_at, decided_by_id, submission_id, decided_at, id, withheld
FROM dispositions_decisionrevision;
INSERT INTO dispositions_clauselink (extent, note, clause_id, fingerprint, identity_id, revision_id)
SELECT r.extent, '', c.id, c.fingerprint, c.identity_id, r.id
FROM dispositions_decisionrevision r JOIN outcomes_clause c ON c.version_id = 1
  AND (c.identity_id = 1 + (r.submission_id * 7) % 8 OR (r.submission_id % 3 = 0 AND c.identity_id = 1 + (r.submission_id * 7 + 3) % 8))
WHERE r.kind = 'reflected';
ANALYZE;
SELECT status, count(*) FROM consultations_submission GROUP BY 1;
SELECT pg_size_pretty(pg_total_relation_size('consultations_submission'));
