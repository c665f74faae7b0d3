package dev.roan.example.petclinic;

import java.util.List;
import java.util.UUID;

/** The petclinic on H2, as {@code application.properties} configures it, behind a real nginx. */
class PetclinicBehindNginxTest extends PetclinicBehindNginx {

    @Override
    List<String> database() {
        return List.of("--spring.datasource.url=jdbc:h2:mem:petclinic-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }
}
