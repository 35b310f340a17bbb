package io.github.quarkuspeer.hibernate.orm.deployment;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An entity of the application's own, which a schema strategy such as drop-and-create recreates. */
@Entity
@Table(name = "peers_test_note")
public class Note {
    @Id
    public long id;
    public String text;
}
