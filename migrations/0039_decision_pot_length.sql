-- The length limit of the pot's name a decision copies from its agenda item (migration 0035).
ALTER TABLE decisions
    ADD CONSTRAINT decisions_pot_name_length CHECK (char_length(pot_name) <= 200);
