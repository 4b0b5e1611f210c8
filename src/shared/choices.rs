//! Choices offered in forms and stored by a short code, and the ones several areas share.

/// An enum of choices, each with the code stored in the database and used in forms, and the
/// key of its label in the catalogues (`<enum name in lower case>.<code>`).
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The name stored in the database and used in forms.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.code() == code)
            }

            pub fn label_key(self) -> String {
                format!("{}.{}", stringify!($name).to_lowercase(), self.code())
            }
        }
    };
}

pub(crate) use choice;

choice!(
    /// How a request reached the desk.
    Channel { Desk => "desk", Phone => "phone", Email => "email", Referrer => "referrer", Online => "online" }
);

choice!(
    /// The fields of the social domain a request touches.
    Domain {
        Wmo => "wmo",
        Jeugd => "jeugd",
        Leerplicht => "leerplicht",
        Participatie => "participatie",
        Wonen => "wonen",
        Schulden => "schulden",
        WerkInkomen => "werk_inkomen",
        Overig => "overig",
    }
);

impl Domain {
    /// The label keys of stored domain codes, skipping any that are not known.
    pub fn label_keys(codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .filter_map(|code| Domain::parse(code))
            .map(Domain::label_key)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip() {
        for domain in Domain::ALL {
            assert_eq!(Domain::parse(domain.code()), Some(*domain));
        }
        assert_eq!(Domain::WerkInkomen.label_key(), "domain.werk_inkomen");
        assert_eq!(Channel::parse("nope"), None);
        assert_eq!(
            Domain::label_keys(&["jeugd".into(), "nope".into()]),
            ["domain.jeugd"]
        );
    }
}
