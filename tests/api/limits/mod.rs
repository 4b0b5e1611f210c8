//! Hostile and careless text (issue 20, points 4 and 5): control characters and over-long
//! values in every form and every search give 422 with the message beside the field and
//! store nothing; every column people can write has a length constraint.

mod constraints;
