-- Every text people can type has a maximum length (issue 20, point 5), in characters, the
-- same as the form checks in web::forms (Limit): codes 20, telephone numbers 30, names and
-- titles 200, e-mail addresses 254, short texts and web addresses 1,000, reports, journal
-- entries and other long texts 20,000. The forms refuse longer texts with a message beside the
-- field; these constraints back them up, so that nothing reaches a column (or an index on it)
-- that the forms would not accept. Columns filled from a list of codes are bounded by their
-- code constraint already. Constraint names end in `_length`: the application answers a
-- violation with 422, never 500. A test (tests/api/limits) fails for a text column without one.

ALTER TABLE agenda_documents
    ADD CONSTRAINT agenda_documents_filename_length CHECK (char_length(filename) <= 200);

ALTER TABLE agenda_items
    ADD CONSTRAINT agenda_items_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT agenda_items_notes_length CHECK (char_length(notes) <= 20000),
    ADD CONSTRAINT agenda_items_proposal_length CHECK (char_length(proposal) <= 20000),
    ADD CONSTRAINT agenda_items_reasons_length CHECK (char_length(reasons) <= 20000),
    ADD CONSTRAINT agenda_items_title_length CHECK (char_length(title) <= 200);

ALTER TABLE attendance
    ADD CONSTRAINT attendance_proxy_note_length CHECK (char_length(proxy_note) <= 1000);

ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_actor_name_length CHECK (char_length(actor_name) <= 1000),
    ADD CONSTRAINT audit_events_subject_name_length CHECK (char_length(subject_name) <= 1000);

ALTER TABLE case_access_grants
    ADD CONSTRAINT case_access_grants_reason_length CHECK (char_length(reason) <= 1000);

ALTER TABLE case_clocks
    ADD CONSTRAINT case_clocks_extension_reason_length CHECK (char_length(extension_reason) <= 1000),
    ADD CONSTRAINT case_clocks_pause_reason_length CHECK (char_length(pause_reason) <= 1000);

ALTER TABLE case_events
    ADD CONSTRAINT case_events_reason_length CHECK (char_length(reason) <= 1000);

ALTER TABLE case_leads
    ADD CONSTRAINT case_leads_handover_note_length CHECK (char_length(handover_note) <= 1000);

ALTER TABLE closing_days
    ADD CONSTRAINT closing_days_description_length CHECK (char_length(description) <= 1000);

ALTER TABLE consents
    ADD CONSTRAINT consents_purpose_length CHECK (char_length(purpose) <= 1000),
    ADD CONSTRAINT consents_withdrawal_note_length CHECK (char_length(withdrawal_note) <= 1000);

ALTER TABLE conversations
    ADD CONSTRAINT conversations_daytime_length CHECK (char_length(daytime) <= 20000),
    ADD CONSTRAINT conversations_finances_length CHECK (char_length(finances) <= 20000),
    ADD CONSTRAINT conversations_health_length CHECK (char_length(health) <= 20000),
    ADD CONSTRAINT conversations_housing_length CHECK (char_length(housing) <= 20000),
    ADD CONSTRAINT conversations_parenting_length CHECK (char_length(parenting) <= 20000),
    ADD CONSTRAINT conversations_participants_length CHECK (char_length(participants) <= 1000),
    ADD CONSTRAINT conversations_place_length CHECK (char_length(place) <= 200),
    ADD CONSTRAINT conversations_safety_length CHECK (char_length(safety) <= 20000),
    ADD CONSTRAINT conversations_social_network_length CHECK (char_length(social_network) <= 20000),
    ADD CONSTRAINT conversations_wishes_length CHECK (char_length(wishes) <= 20000);

ALTER TABLE decision_actions
    ADD CONSTRAINT decision_actions_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT decision_actions_owner_length CHECK (char_length(owner) <= 200);

ALTER TABLE decisions
    ADD CONSTRAINT decisions_proposal_length CHECK (char_length(proposal) <= 20000),
    ADD CONSTRAINT decisions_title_length CHECK (char_length(title) <= 200);

ALTER TABLE expulsions
    ADD CONSTRAINT expulsions_reasons_length CHECK (char_length(reasons) <= 20000);

ALTER TABLE journal_attachments
    ADD CONSTRAINT journal_attachments_filename_length CHECK (char_length(filename) <= 200);

ALTER TABLE journal_entries
    ADD CONSTRAINT journal_entries_body_length CHECK (char_length(body) <= 20000);

ALTER TABLE meetings
    ADD CONSTRAINT meetings_place_length CHECK (char_length(place) <= 200),
    ADD CONSTRAINT meetings_title_length CHECK (char_length(title) <= 200),
    ADD CONSTRAINT meetings_video_url_length CHECK (char_length(video_url) <= 1000);

ALTER TABLE network_contacts
    ADD CONSTRAINT network_contacts_email_length CHECK (char_length(email) <= 254),
    ADD CONSTRAINT network_contacts_name_length CHECK (char_length(name) <= 200),
    ADD CONSTRAINT network_contacts_phone_length CHECK (char_length(phone) <= 30),
    ADD CONSTRAINT network_contacts_role_length CHECK (char_length(role) <= 200);

ALTER TABLE organisation_statuses
    ADD CONSTRAINT organisation_statuses_note_length CHECK (char_length(note) <= 1000);

ALTER TABLE organisations
    ADD CONSTRAINT organisations_contact_email_length CHECK (char_length(contact_email) <= 254),
    ADD CONSTRAINT organisations_contact_name_length CHECK (char_length(contact_name) <= 200),
    ADD CONSTRAINT organisations_contact_phone_length CHECK (char_length(contact_phone) <= 30),
    ADD CONSTRAINT organisations_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT organisations_name_length CHECK (char_length(name) <= 200);

ALTER TABLE plan_actions
    ADD CONSTRAINT plan_actions_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT plan_actions_performer_name_length CHECK (char_length(performer_name) <= 200);

ALTER TABLE plan_goals
    ADD CONSTRAINT plan_goals_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT plan_goals_result_note_length CHECK (char_length(result_note) <= 1000);

ALTER TABLE polls
    ADD CONSTRAINT polls_challenge_note_length CHECK (char_length(challenge_note) <= 1000),
    ADD CONSTRAINT polls_decision_kind_length CHECK (char_length(decision_kind) <= 200);

ALTER TABLE referral_events
    ADD CONSTRAINT referral_events_note_length CHECK (char_length(note) <= 20000);

ALTER TABLE referral_passes
    ADD CONSTRAINT referral_passes_note_length CHECK (char_length(note) <= 1000);

ALTER TABLE referrals
    ADD CONSTRAINT referrals_decline_note_length CHECK (char_length(decline_note) <= 1000),
    ADD CONSTRAINT referrals_outcome_reason_length CHECK (char_length(outcome_reason) <= 1000),
    ADD CONSTRAINT referrals_override_reason_length CHECK (char_length(override_reason) <= 1000),
    ADD CONSTRAINT referrals_purpose_length CHECK (char_length(purpose) <= 1000),
    ADD CONSTRAINT referrals_report_length CHECK (char_length(report) <= 20000),
    ADD CONSTRAINT referrals_return_reason_length CHECK (char_length(return_reason) <= 1000),
    ADD CONSTRAINT referrals_summary_length CHECK (char_length(summary) <= 20000);

ALTER TABLE requests
    ADD CONSTRAINT requests_contact_email_length CHECK (char_length(contact_email) <= 254),
    ADD CONSTRAINT requests_contact_name_length CHECK (char_length(contact_name) <= 200),
    ADD CONSTRAINT requests_contact_phone_length CHECK (char_length(contact_phone) <= 30),
    ADD CONSTRAINT requests_question_length CHECK (char_length(question) <= 20000),
    ADD CONSTRAINT requests_referrer_length CHECK (char_length(referrer) <= 200),
    ADD CONSTRAINT requests_triage_note_length CHECK (char_length(triage_note) <= 1000);

ALTER TABLE residents
    ADD CONSTRAINT residents_bsn_length CHECK (char_length(bsn) <= 9),
    ADD CONSTRAINT residents_email_length CHECK (char_length(email) <= 254),
    ADD CONSTRAINT residents_first_names_length CHECK (char_length(first_names) <= 200),
    ADD CONSTRAINT residents_house_number_length CHECK (char_length(house_number) <= 20),
    ADD CONSTRAINT residents_house_number_addition_length CHECK (char_length(house_number_addition) <= 20),
    ADD CONSTRAINT residents_initials_length CHECK (char_length(initials) <= 20),
    ADD CONSTRAINT residents_phone_length CHECK (char_length(phone) <= 30),
    ADD CONSTRAINT residents_place_length CHECK (char_length(place) <= 200),
    ADD CONSTRAINT residents_postcode_length CHECK (char_length(postcode) <= 7),
    ADD CONSTRAINT residents_preferred_language_length CHECK (char_length(preferred_language) <= 20),
    ADD CONSTRAINT residents_remarks_length CHECK (char_length(remarks) <= 20000),
    ADD CONSTRAINT residents_street_length CHECK (char_length(street) <= 200),
    ADD CONSTRAINT residents_surname_length CHECK (char_length(surname) <= 200),
    ADD CONSTRAINT residents_surname_prefix_length CHECK (char_length(surname_prefix) <= 200);

ALTER TABLE services
    ADD CONSTRAINT services_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT services_name_length CHECK (char_length(name) <= 200);

ALTER TABLE sessions
    ADD CONSTRAINT sessions_user_agent_length CHECK (char_length(user_agent) <= 200);

ALTER TABLE signpost_destinations
    ADD CONSTRAINT signpost_destinations_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT signpost_destinations_name_length CHECK (char_length(name) <= 200);

ALTER TABLE tasks
    ADD CONSTRAINT tasks_outcome_length CHECK (char_length(outcome) <= 1000),
    ADD CONSTRAINT tasks_title_length CHECK (char_length(title) <= 200);

ALTER TABLE tenant_settings
    ADD CONSTRAINT tenant_settings_contact_address_length CHECK (char_length(contact_address) <= 1000),
    ADD CONSTRAINT tenant_settings_contact_email_length CHECK (char_length(contact_email) <= 254),
    ADD CONSTRAINT tenant_settings_contact_phone_length CHECK (char_length(contact_phone) <= 30);

ALTER TABLE tenants
    ADD CONSTRAINT tenants_name_length CHECK (char_length(name) <= 200),
    ADD CONSTRAINT tenants_slug_length CHECK (char_length(slug) <= 40);

ALTER TABLE users
    ADD CONSTRAINT users_email_length CHECK (char_length(email) <= 254),
    ADD CONSTRAINT users_name_length CHECK (char_length(name) <= 200);

ALTER TABLE working_group_notes
    ADD CONSTRAINT working_group_notes_body_length CHECK (char_length(body) <= 20000);

ALTER TABLE working_group_proposals
    ADD CONSTRAINT working_group_proposals_proposal_length CHECK (char_length(proposal) <= 20000),
    ADD CONSTRAINT working_group_proposals_title_length CHECK (char_length(title) <= 200);

ALTER TABLE working_groups
    ADD CONSTRAINT working_groups_description_length CHECK (char_length(description) <= 1000),
    ADD CONSTRAINT working_groups_outcome_length CHECK (char_length(outcome) <= 20000),
    ADD CONSTRAINT working_groups_topic_length CHECK (char_length(topic) <= 200);

-- A case's life domains are copied from its request; the same codes bound them here.
ALTER TABLE cases
    ADD CONSTRAINT cases_domains_codes CHECK (domains <@ ARRAY['wmo', 'jeugd', 'leerplicht', 'participatie', 'wonen',
                                                        'schulden', 'werk_inkomen', 'overig']);

-- Areas a service covers, typed as one comma-separated line.
ALTER TABLE services
    ADD CONSTRAINT services_areas_length CHECK (char_length(array_to_string(areas, ',')) <= 1000);
