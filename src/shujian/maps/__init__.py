"""The map's services: the county outline and the layers (schools, venues, distance rings, the
venues' leads), read as the models read them and scoped to the user."""
